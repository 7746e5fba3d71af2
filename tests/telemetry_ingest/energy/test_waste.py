"""Off-hours base load and waste alerts on a synthetic fortnight with a sealed holiday."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.energy.synthetic import register

TZ = ZoneInfo("Asia/Shanghai")
HOLIDAY = date(2026, 4, 6)  # a Monday, sealed (清明)


def load(ts: datetime) -> float:
    local = ts.astimezone(TZ)
    if local.date() == HOLIDAY:
        return 5.0  # half the working load on a sealed holiday: waste
    if local.isoweekday() >= 6:
        return 6.0  # weekend: waste
    if time(7, 30) <= local.time() < time(18, 30):
        return 10.0
    return 2.0  # night base load of a working day: 20 %, fine


async def test_waste_alerts_for_weekend_and_holiday_but_not_night(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    start = datetime(2026, 3, 30, tzinfo=TZ)  # Monday
    end = start + timedelta(days=14)
    cal = energy_data.calendar(holidays=[HOLIDAY])
    meter = energy_data.meter(building=energy_data.uid("bld"), vendor_id=energy_data.uid("vendor"))
    energy_data.readings(meter, register(start, end, timedelta(minutes=15), load))
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    params = {"start": start.isoformat(), "end": end.isoformat(), "meter_id": meter, "calendar_id": cal}

    r = await client.get("/v1/energy/base-load", params=params, headers=headers)
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    assert row["working"]["avg_kw"] == pytest.approx(10.0)
    assert row["night"]["avg_kw"] == pytest.approx(2.0)
    assert row["weekend"]["share_of_working"] == pytest.approx(0.6)
    assert row["holiday"]["hours"] == pytest.approx(24.0)
    assert [row[c]["waste"] for c in ("night", "weekend", "holiday")] == [False, True, True]

    first = await client.post("/v1/energy/waste-alerts/evaluate", params=params, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"meters": 1, "waste_findings": 2, "alerts_created": 2}
    again = await client.post("/v1/energy/waste-alerts/evaluate", params=params, headers=headers)
    assert again.json()["alerts_created"] == 0

    alerts = await client.get("/v1/alerts", params={"subject_id": meter}, headers=headers)
    assert alerts.status_code == 200, alerts.text
    assert alerts.json()["total"] == 2
    assert {a["kind"] for a in alerts.json()["items"]} == {"energy_waste_weekend", "energy_waste_holiday"}
    assert all(a["label_zh"] for a in alerts.json()["items"])

    vendor_only = await client.post(
        "/v1/energy/waste-alerts/evaluate", params=params, headers=auth(make_token(Role.vendor, vendor_id="v"))
    )
    assert vendor_only.status_code == 403
