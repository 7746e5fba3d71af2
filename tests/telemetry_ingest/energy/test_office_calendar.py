"""Energy buckets are the office's calendar (Asia/Shanghai), answered as its wall clock with the +08:00
offset: October starts at local midnight of the 1st (`2026-10-01T00:00:00+08:00`, not
`2026-09-30T16:00:00Z`), and a reading at 2026-09-30T16:30Z (00:30 on 1 October in Changzhou) starts an
interval of October. The same holds for the cost rows, the series layout and the rollup path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.auth import Role
from houqin_common.db import libpq_url
from support import auth
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import service
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.schemas import Granularity, GroupBy

TZ = ZoneInfo("Asia/Shanghai")
# 23:30 on 30 September, 00:30 and 01:30 on 1 October (local): 10 kWh start in September, 5 in October
READINGS = [
    (datetime(2026, 9, 30, 15, 30, tzinfo=UTC), 100.0),
    (datetime(2026, 9, 30, 16, 30, tzinfo=UTC), 110.0),
    (datetime(2026, 9, 30, 17, 30, tzinfo=UTC), 115.0),
]
WINDOW = {"start": "2026-09-01T00:00:00+08:00", "end": "2026-11-01T00:00:00+08:00"}
SEPTEMBER, OCTOBER = "2026-09-01T00:00:00+08:00", "2026-10-01T00:00:00+08:00"


async def test_month_day_and_hour_buckets_are_local_with_their_offset(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    vendor_id = str(uuid.uuid4())
    mid = energy_data.meter(vendor_id=vendor_id)
    energy_data.readings(mid, READINGS)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    params = {**WINDOW, "meter_id": mid}

    async def rows(**extra: str) -> list[tuple[str, float]]:
        r = await client.get("/v1/energy/consumption", params={**params, **extra}, headers=headers)
        assert r.status_code == 200, r.text
        return [(row["bucket"], row.get("kwh", row.get("cost_cny"))) for row in r.json()["rows"]]

    assert await rows(granularity="month") == [(SEPTEMBER, 10.0), (OCTOBER, 5.0)]
    assert await rows(granularity="day") == [("2026-09-30T00:00:00+08:00", 10.0), (OCTOBER, 5.0)]
    assert await rows(granularity="hour") == [("2026-09-30T23:00:00+08:00", 10.0), (OCTOBER, 5.0)]
    r = await client.get(
        "/v1/energy/consumption", params={**params, "granularity": "month", "layout": "series"}, headers=headers
    )
    assert r.json()["series"][0]["buckets"] == [SEPTEMBER, OCTOBER]
    # control: the same instant written in UTC is what the answer must not say
    assert datetime.fromisoformat(OCTOBER) == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert "2026-09-30T16:00:00Z" not in r.text

    tariff = {
        "name": "single price",
        "energy_type": "01000",
        "scope": "meter",
        "scope_id": mid,
        "effective_from": "2026-01-01",
        "prices": {"single": "0.8"},
        "windows": [],
    }
    assert (await client.put(f"/v1/energy/tariffs/{mid}-2026", json=tariff, headers=headers)).status_code == 201
    assert await rows(granularity="month", measure="cost") == [(SEPTEMBER, "8.00"), (OCTOBER, "4.00")]
    assert await rows(granularity="day", measure="cost") == [("2026-09-30T00:00:00+08:00", "8.00"), (OCTOBER, "4.00")]

    # the KPI's windows are the office's too: a half-year ends at local midnight of 1 January
    r = await client.get("/v1/kpis/energy", params={"vendor_id": vendor_id, "period": "2026H2"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["period_end"].endswith("+08:00")


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES ('cal', 'cal', 'A', '01000')"
        )
        # a reading every 15 minutes from 20 September to 10 October, local
        ts, value = datetime(2026, 9, 20, tzinfo=TZ), 0.0
        with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
            while ts < datetime(2026, 10, 10, tzinfo=TZ):
                cp.write_row(("cal", ts, value))
                ts, value = ts + timedelta(minutes=15), value + 1.0 + ts.hour % 3
    yield fresh_database_url


async def test_rollups_answer_the_same_local_buckets_as_the_raw_readings(session: AsyncSession) -> None:
    start, end = datetime(2026, 9, 21, tzinfo=TZ), datetime(2026, 10, 9, 5, tzinfo=TZ)

    async def answer(settings: AnalyticsSettings) -> list[list[tuple[str, float]]]:
        out = []
        for gran in (Granularity.hour, Granularity.day, Granularity.month):
            read = await service.consumption(
                session,
                settings=settings,
                flt=MeterFilter(),
                start=start,
                end=end,
                granularity=gran,
                group_by=GroupBy.total,
            )
            out.append([(r["bucket"].isoformat(), round(r["kwh"], 6)) for r in read.rows])
        return out

    raw = await answer(AnalyticsSettings(use_rollup=False))
    rolled = AnalyticsSettings(use_rollup=True)
    done = await service.refresh_rollup(session, settings=rolled)
    assert done.rows > 0  # positive control: the rollups exist and are read
    how = await service.plan(session, settings=rolled, flt=MeterFilter(), start=start, end=end, granularity="month")
    assert "day" in [p.grain for p in how.rolled]
    assert await answer(rolled) == raw
    months = raw[2]
    assert [b for b, _ in months] == [SEPTEMBER, OCTOBER]  # a month bucket starts on the 1st, whatever the window
    days = raw[1]
    assert days[0][0] == "2026-09-21T00:00:00+08:00" and days[-1][0] == "2026-10-09T00:00:00+08:00"
    assert all(b.endswith("T00:00:00+08:00") for b, _ in days)
    # September's bucket holds exactly the intervals starting before local midnight of 1 October
    assert sum(k for b, k in days if b < OCTOBER) == pytest.approx(months[0][1])
