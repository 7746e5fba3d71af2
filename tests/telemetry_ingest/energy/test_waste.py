"""Fair waste detection: each meter is judged against its own profile and history. Loads that run at night
by design (outdoor lighting, data centre, HVAC setback) raise nothing; simulator-injected waste events are
found with precision and recall of at least 90 %."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy.waste import WastePolicy, category, detect, profile_for
from telemetry_ingest.simulator.model import load_factor
from telemetry_ingest.simulator.waste import boost, day_range, plan_events, score

TZ = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 3, 2)  # a Monday: four weeks of history, then a fortnight evaluated
EVALUATED = day_range(FIRST + timedelta(days=28), FIRST + timedelta(days=42))
HOLIDAY = date(2026, 4, 6)  # a Monday in the evaluated fortnight, sealed (清明)
SUB_ITEMS = ("01A10", "01A20", "01A30", "01B10", "01B20", "01C10", "01D10")


def test_profiles_default_by_sub_item_and_can_be_overridden() -> None:
    assert profile_for("01A30", None) is Profile.outdoor_lighting
    assert profile_for("01D10", None) is Profile.continuous
    assert profile_for("01B20", None) is Profile.hvac_setback
    assert profile_for("01A10", None) is Profile.office
    assert profile_for("01A10", "continuous") is Profile.continuous
    cal = UseCalendar(holidays=frozenset({HOLIDAY}))
    night = datetime(2026, 4, 7, 23, tzinfo=TZ)
    assert category(Profile.office, night, cal, TZ) == "night"
    assert category(Profile.outdoor_lighting, night, cal, TZ) == "dark"
    assert category(Profile.office, night.replace(day=6), cal, TZ) == "holiday"


def test_a_load_running_at_night_by_design_is_not_waste_but_a_rise_above_its_own_history_is() -> None:
    cal = UseCalendar()
    hours = [datetime(2026, 3, 2, tzinfo=TZ) + timedelta(hours=h) for h in range(24 * 29)]
    lighting = [(h, 10.0 if category(Profile.outdoor_lighting, h, cal, TZ) == "dark" else 0.3) for h in hours]
    day = date(2026, 3, 30)
    assert detect(lighting, day=day, profile=Profile.outdoor_lighting, cal=cal, tz=TZ, policy=WastePolicy()) == []
    left_on = [(h, 10.0 if h.date() == day else kwh) for h, kwh in lighting]
    found = detect(left_on, day=day, profile=Profile.outdoor_lighting, cal=cal, tz=TZ, policy=WastePolicy())
    assert [(f.category, round(f.avg_kw, 1)) for f in found] == [("daylight", 10.0)]
    # without enough own history nothing is judged
    short = [(h, kwh) for h, kwh in left_on if h.date() >= day - timedelta(days=2)]
    assert detect(short, day=day, profile=Profile.outdoor_lighting, cal=cal, tz=TZ, policy=WastePolicy()) == []


async def test_injected_waste_events_are_found_with_high_precision_and_recall(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    rng = random.Random(11)
    cal = UseCalendar(holidays=frozenset({HOLIDAY}))
    cal_id = energy_data.calendar(holidays=[HOLIDAY])
    vendor = energy_data.uid("vendor")
    meters = []
    for i in range(28):
        sub = SUB_ITEMS[i % len(SUB_ITEMS)]
        meters.append((energy_data.meter(building=energy_data.uid("bld"), sub_item=sub, vendor_id=vendor), sub))
    events = plan_events(meters, EVALUATED, cal=cal, tz=TZ, rate=0.12, rng=rng)
    assert len(events) >= 20
    by_key = {(e.meter_id, e.day): e.category for e in events}
    start = datetime.combine(FIRST, datetime.min.time(), TZ)
    end = datetime.combine(EVALUATED[-1] + timedelta(days=1), datetime.min.time(), TZ)
    step = timedelta(minutes=15)
    for meter_id, sub in meters:
        peak = rng.uniform(20, 80)
        value, ts, rows = rng.uniform(1000, 5000), start, []
        while ts <= end:
            rows.append((ts, round(value, 3)))
            factor = load_factor(ts, sub) + boost(by_key, meter_id, sub, ts, cal, TZ)
            value += peak * factor * rng.uniform(0.9, 1.1) * 0.25
            ts += step
        energy_data.readings(meter_id, rows)

    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    window = {"start": EVALUATED[0].isoformat() + "T00:00:00+08:00", "end": end.isoformat(), "vendor_id": vendor}
    r = await client.post("/v1/energy/waste-alerts/evaluate", params={**window, "calendar_id": cal_id}, headers=headers)
    assert r.status_code == 200, r.text
    alerts = await client.get("/v1/alerts", params={"vendor_id": vendor, "limit": 500}, headers=headers)
    assert alerts.status_code == 200, alerts.text
    found = [
        (a["subject_id"], datetime.fromisoformat(a["started_at"]).astimezone(TZ).date(), a["details"]["category"])
        for a in alerts.json()["items"]
    ]
    precision, recall, tp, fp = score(found, events)
    print(
        f"\nwaste detection: {len(events)} injected, {len(found)} alerts, {tp} true, {fp} false;"
        f" precision {precision:.1%}, recall {recall:.1%}"
    )
    print(sorted({(e.meter_id, e.day, e.category) for e in events} - set(found)))
    assert precision >= 0.9 and recall >= 0.9
    # nothing is raised twice; the text is rendered in the reader's language from kind + parameters
    again = await client.post(
        "/v1/energy/waste-alerts/evaluate", params={**window, "calendar_id": cal_id}, headers=headers
    )
    assert again.json()["alerts_created"] == 0
    zh = await client.get(
        "/v1/alerts", params={"vendor_id": vendor, "limit": 1}, headers={**headers, "Accept-Language": "zh-CN"}
    )
    assert zh.json()["items"][0]["label_zh"].endswith("浪费") or zh.json()["items"][0]["label_zh"]
    vendor_only = await client.post(
        "/v1/energy/waste-alerts/evaluate",
        params={"start": window["start"], "end": window["end"]},
        headers=auth(make_token(Role.vendor, vendor_id="v")),
    )
    assert vendor_only.status_code == 403


@pytest.mark.parametrize("sub_item", ["01A30", "01D10", "01B10"])
def test_night_by_design_meters_raise_nothing_without_events(sub_item: str) -> None:
    cal = UseCalendar()
    rng = random.Random(3)
    hours = [datetime(2026, 7, 1, tzinfo=TZ) + timedelta(hours=h) for h in range(24 * 42)]
    series = [(h, 50 * load_factor(h, sub_item) * rng.uniform(0.95, 1.05)) for h in hours]
    profile = profile_for(sub_item, None)
    found = [
        f
        for d in day_range(date(2026, 7, 29), date(2026, 8, 12))
        for f in detect(series, day=d, profile=profile, cal=cal, tz=TZ, policy=WastePolicy())
    ]
    assert found == []
