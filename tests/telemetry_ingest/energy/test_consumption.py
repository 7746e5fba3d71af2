"""Consumption through the API: SQL window functions agree with the pure arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.energy.arithmetic import Sample, bucket_sums, intervals

TZ = ZoneInfo("Asia/Shanghai")
Q = timedelta(minutes=15)


def _inc(k: int) -> float:
    return 1.3 + (k % 5) * 0.1


def _series(start: datetime) -> list[tuple[datetime, float]]:
    """Two days of 15-minute readings: a rollover of a 10 000 register, a reset and a 3-hour gap."""
    rows: list[tuple[datetime, float]] = []
    value = 9_975.0
    ts = start
    for k in range(4 * 48):
        if k == 90:
            value = 0.4  # register reset (meter replaced)
        elif k > 0:
            value += _inc(k)
            if value >= 10_000:
                value -= 10_000
        if not 130 <= k < 142:  # 3 h without readings
            rows.append((ts, round(value, 6)))
        ts += Q
    return rows


async def test_buckets_match_pure_arithmetic_and_add_up(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    start = datetime(2026, 2, 10, 0, 0, tzinfo=TZ)
    meter = energy_data.meter(multiplier=20, rollover=10_000)
    rows = _series(start)
    energy_data.readings(meter, rows)
    expected = intervals([Sample(t, v) for t, v in rows], multiplier=20.0, rollover=10_000.0)
    assert any(it.kwh < 0 for it in expected) is False
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    end = start + timedelta(days=2)
    totals: dict[str, float] = {}
    for gran in ("15min", "hour", "day", "month"):
        r = await client.get(
            "/v1/energy/consumption",
            params={"start": start.isoformat(), "end": end.isoformat(), "granularity": gran, "meter_id": meter},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        got = {datetime.fromisoformat(row["bucket"]): row["kwh"] for row in body["rows"]}
        want = bucket_sums([i for i in expected if start <= i.start < end], gran, TZ)
        assert got.keys() == want.keys()
        for k, v in want.items():
            assert got[k] == pytest.approx(v, rel=1e-9)
        totals[gran] = body["total_kwh"]
    assert len(set(round(v, 6) for v in totals.values())) == 1
    # the reset and the rollover did not produce negative or huge intervals: 20 × (sum of advances)
    advances = sum(_inc(k) for k in range(1, 4 * 48) if k != 90) + 0.4
    assert min(v for _, v in rows) < 50 < 9_900 < rows[10][1]  # the register did wrap
    assert totals["day"] == pytest.approx(20 * advances, rel=1e-6)


async def test_group_by_building_and_sub_item_tree(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    start = datetime(2026, 2, 1, tzinfo=TZ)
    building = energy_data.uid("bld")
    hvac = energy_data.meter(building=building, zone="east", sub_item="01B10")
    light = energy_data.meter(building=building, zone="west", sub_item="01A10")
    for meter, kw in ((hvac, 30.0), (light, 10.0)):
        energy_data.readings(meter, [(start + k * Q, k * kw / 4) for k in range(97)])
    client = await service_client("telemetry")
    headers = auth(make_token(Role.auditor))
    params = {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(), "building": building}
    r = await client.get(
        "/v1/energy/consumption", params={**params, "granularity": "day", "group_by": "zone"}, headers=headers
    )
    assert {row["group"]: row["kwh"] for row in r.json()["rows"]} == pytest.approx({"east": 720.0, "west": 240.0})
    # the same answer as one series per group: hourly per zone, every hour of the day, same values as the rows
    hourly = {**params, "granularity": "hour", "group_by": "zone"}
    rows = (await client.get("/v1/energy/consumption", params=hourly, headers=headers)).json()
    r = await client.get("/v1/energy/consumption", params={**hourly, "layout": "series"}, headers=headers)
    assert r.status_code == 200, r.text
    series = r.json()["series"]
    assert [s["group"] for s in series] == ["east", "west"] and [len(s["buckets"]) for s in series] == [24, 24]
    assert [(s["group"], b, k) for s in series for b, k in zip(s["buckets"], s["kwh"], strict=True)] == sorted(
        (row["group"], row["bucket"], row["kwh"]) for row in rows["rows"]
    )
    assert sum(series[0]["kwh"]) == pytest.approx(720.0) and r.json()["total_kwh"] == pytest.approx(960.0)
    r = await client.get(
        "/v1/energy/consumption", params={**hourly, "layout": "series", "measure": "cost"}, headers=headers
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    # 01B00 (HVAC) includes its sub-item 01B10 and excludes lighting
    r = await client.get(
        "/v1/energy/consumption", params={**params, "granularity": "day", "sub_item": "01B00"}, headers=headers
    )
    assert r.json()["total_kwh"] == pytest.approx(720.0)
    top = await client.get("/v1/energy/top-consumers", params=params, headers=headers)
    assert [t["group"] for t in top.json()] == [hvac, light]
    assert top.json()[0]["share"] == pytest.approx(0.75)


async def test_vendor_sees_only_its_own_meters(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    start = datetime(2026, 2, 3, tzinfo=TZ)
    building = energy_data.uid("bld")
    mine = energy_data.meter(building=building, vendor_id="vendor-own")
    theirs = energy_data.meter(building=building, vendor_id="vendor-other")
    for m in (mine, theirs):
        energy_data.readings(m, [(start + k * Q, k * 1.0) for k in range(9)])
    client = await service_client("telemetry")
    params = {
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
        "building": building,
        "group_by": "meter",
        "granularity": "hour",
    }
    r = await client.get(
        "/v1/energy/consumption", params=params, headers=auth(make_token(Role.vendor, vendor_id="vendor-own"))
    )
    assert {row["group"] for row in r.json()["rows"]} == {mine}
    r = await client.get(
        "/v1/energy/consumption",
        params={**params, "vendor_id": "vendor-other"},
        headers=auth(make_token(Role.vendor, vendor_id="vendor-own")),
    )
    assert r.status_code == 404
    r = await client.get("/v1/energy/consumption", params=params, headers=auth(make_token(Role.staff)))
    assert r.status_code == 403
    r = await client.get(
        "/v1/energy/consumption", params={**params, "end": params["start"]}, headers=auth(make_token(Role.supervisor))
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
