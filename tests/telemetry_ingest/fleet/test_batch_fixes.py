"""The evaluator's batched fetch of columns hands every vehicle exactly the fixes the per-vehicle query
returns (times to the microsecond, missing speed and ignition kept as missing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from houqin_common.db import create_engine, make_sessionmaker
from telemetry_ingest.fleet import repository
from telemetry_ingest.fleet.rules import Fix
from telemetry_ingest.fleet.synthetic import Track

TZ = ZoneInfo("Asia/Shanghai")
HQ = (31.81, 119.97)


async def test_tracks_equal_one_fixes_query_per_vehicle(database_url: str, fleet_data: Any) -> None:
    day = datetime(2026, 9, 29, tzinfo=TZ)
    a, b, empty = fleet_data.vehicle(), fleet_data.vehicle(), fleet_data.vehicle()
    t = Track(day.replace(hour=8), *HQ).stand(120, ignition=False).drive(900, 40).stand(300, ignition=True)
    fleet_data.positions(a, t.fixes)
    # unordered insert, unknown speed/ignition, and a fix outside the window
    late = [
        Fix(day.replace(hour=12, microsecond=250_001), HQ[0], HQ[1]),
        Fix(day.replace(hour=9), HQ[0] + 0.01, HQ[1], 30.0, True),
    ]
    fleet_data.positions(b, [*late, Fix(day + timedelta(days=1, hours=1), HQ[0], HQ[1], 0.0, False)])
    engine = create_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            start, end = day, day + timedelta(days=1)
            cols = await repository.tracks(session, vehicle_ids=[a, b, empty], start=start, end=end)
            many = {vid: [c.fix(i) for i in range(len(c))] for vid, c in cols.items()}
            for vid in (a, b, empty):
                assert many[vid] == await repository.fixes(session, vehicle_id=vid, start=start, end=end)
                one = await repository.track(session, vehicle_id=vid, start=start, end=end)
                assert [one.fix(i) for i in range(len(one))] == many[vid]
            assert len(many[a]) == len(t.fixes) > 0  # positive control: the batch did return the track
            assert [f.ts.astimezone(TZ).hour for f in many[b]] == [9, 12]  # in time order, next day left out
            assert many[b][1].speed_kmh is None and many[b][1].ignition is None and many[b][1].ts.microsecond
            assert many[empty] == []
            assert await repository.tracks(session, vehicle_ids=[], start=start, end=end) == {}
            limited = await repository.track(session, vehicle_id=a, start=start, end=end, limit=5)
            assert [limited.fix(i) for i in range(5)] == many[a][:5] and len(limited) == 5
    finally:
        await engine.dispose()
