"""The waste rules over arrays (``waste_arrays``) find exactly what the pure rules (``waste``) find: the same
days, categories, averages, thresholds, expected loads and history sizes, under percentiles that interpolate,
a short history that borrows (holiday -> weekend) or is too short to judge, the tolerance and the noise floor
each binding; and ``percentile_rows`` equals ``np.percentile`` row by row (ties, one value, NaN, infinity)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy import waste, waste_arrays
from telemetry_ingest.energy.waste import WastePolicy
from telemetry_ingest.simulator.model import load_factor
from telemetry_ingest.simulator.waste import boost, day_range, plan_events

TZ = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 3, 4)  # a Wednesday: the grid starts at Monday 2 March
DAYS = 63
JUDGED = day_range(FIRST + timedelta(days=28), FIRST + timedelta(days=DAYS))
SUB_ITEMS = ("01A10", "01A30", "01B10", "01C10", "01D10", "01B20")
CALENDARS = {
    "office": UseCalendar(
        holidays=frozenset({date(2026, 4, 6), date(2026, 4, 7), date(2026, 3, 9)}),
        extra_workdays=frozenset({date(2026, 4, 11)}),
    ),
    "whole hours": UseCalendar(work_start=time(9), work_end=time(17), working_weekdays=(1, 2, 3, 4, 5, 6)),
}
POLICIES = {
    "default": WastePolicy(),
    "median, no tolerance": WastePolicy(percentile=50.0, tolerance=0.0, min_excess_kw=0.0, history_days=7),
    "interpolating": WastePolicy(percentile=33.3, tolerance=0.02, min_excess_kw=0.05, history_days=10, min_history=4),
    "noise floor": WastePolicy(percentile=90.0, tolerance=0.01, min_excess_kw=3.0, history_days=14, min_history=2),
    "long history": WastePolicy(percentile=99.0, tolerance=0.3, min_excess_kw=0.0, history_days=28, min_history=9),
}


def _hourly(seed: int, cal: UseCalendar) -> tuple[list[str], list[Profile], dict[str, list[tuple[datetime, float]]]]:
    """Hourly kWh of a dozen meters with injected waste, missing hours and missing days."""
    rng = random.Random(seed)
    meters = [(f"m{i}", SUB_ITEMS[i % len(SUB_ITEMS)]) for i in range(12)]
    events = plan_events(meters, JUDGED, cal=cal, tz=TZ, rate=0.15, rng=rng)
    by_key = {(e.meter_id, e.day): e.category for e in events}
    start = datetime.combine(FIRST, time(0), TZ)
    series: dict[str, list[tuple[datetime, float]]] = {}
    for meter_id, sub in meters:
        peak = rng.uniform(5, 60)
        rows = []
        for h in range(DAYS * 24):
            ts = start + timedelta(hours=h)
            if rng.random() < 0.03 or (meter_id == "m3" and ts.date() in (date(2026, 4, 1), date(2026, 4, 2))):
                continue  # an hour (or two days) without readings
            kwh = peak * (load_factor(ts, sub) + boost(by_key, meter_id, sub, ts, cal, TZ)) * rng.uniform(0.9, 1.1)
            rows.append((ts, kwh if rng.random() > 0.05 else round(kwh, 0)))  # some ties
        series[meter_id] = rows
    profiles = [waste.profile_for(sub, "continuous" if meter_id == "m7" else None) for meter_id, sub in meters]
    return [m for m, _ in meters], profiles, series


def _grid(meters: list[str], series: dict[str, list[tuple[datetime, float]]]) -> waste_arrays.DayHours:
    monday = FIRST - timedelta(days=FIRST.isoweekday() - 1)
    grid = waste_arrays.DayHours.empty(meters, monday, (FIRST - monday).days + DAYS)
    for m, meter_id in enumerate(meters):
        for ts, kwh in series[meter_id]:
            local = ts.astimezone(TZ)
            grid.kwh[m, (local.date() - monday).days, local.hour] = kwh
            grid.has[m, (local.date() - monday).days, local.hour] = True
    return grid


@pytest.mark.parametrize("calendar", list(CALENDARS))
@pytest.mark.parametrize("policy", list(POLICIES))
def test_array_detection_equals_the_rule(calendar: str, policy: str) -> None:
    cal, rules = CALENDARS[calendar], POLICIES[policy]
    meters, profiles, series = _hourly(7, cal)
    expected = [
        (m, f)
        for m, meter_id in enumerate(meters)
        for f in waste.detect_days(
            waste.daily_category_kw(series[meter_id], profiles[m], cal, TZ),
            days=JUDGED,
            profile=profiles[m],
            policy=rules,
        )
    ]
    got = waste_arrays.detect(_grid(meters, series), days=JUDGED, profiles=profiles, cal=cal, policy=rules)
    assert [(f.meter, f.finding) for f in got] == expected  # exactly: the same floats
    # positive controls: findings of several categories, and on a holiday where the history holds weekends
    assert len({f.category for _, f in expected}) >= 3
    if calendar == "office" and policy in ("default", "noise floor"):  # enough weekends to borrow
        assert any(f.category == "holiday" for _, f in expected)


def test_short_histories_borrow_or_are_not_judged() -> None:
    """A holiday with too few holidays before it is judged against the weekends; a meter with too little
    history of any kind is not judged (and the same meter with the history is: the positive control)."""
    cal = UseCalendar(holidays=frozenset({date(2026, 3, 30)}))
    meters = ["short", "long"]
    profiles = [Profile.office, Profile.office]
    start = datetime.combine(date(2026, 3, 2), time(0), TZ)
    series: dict[str, list[tuple[datetime, float]]] = {}
    for meter_id, first_day in (("short", 27), ("long", 0)):
        series[meter_id] = [
            (start + timedelta(hours=h), 10.0 if (start + timedelta(hours=h)).day == 30 else 1.0 + (h % 5) * 0.1)
            for h in range(first_day * 24, 29 * 24)
        ]
    monday = date(2026, 3, 2)
    grid = waste_arrays.DayHours.empty(meters, monday, 29)
    for m, meter_id in enumerate(meters):
        for ts, kwh in series[meter_id]:
            grid.kwh[m, (ts.date() - monday).days, ts.hour] = kwh
            grid.has[m, (ts.date() - monday).days, ts.hour] = True
    rules = WastePolicy()
    got = waste_arrays.detect(grid, days=[date(2026, 3, 30)], profiles=profiles, cal=cal, policy=rules)
    expected = [
        (m, f)
        for m, meter_id in enumerate(meters)
        for f in waste.detect_days(
            waste.daily_category_kw(series[meter_id], profiles[m], cal, TZ),
            days=[date(2026, 3, 30)],
            profile=profiles[m],
            policy=rules,
        )
    ]
    assert [(f.meter, f.finding) for f in got] == expected
    assert [(m, f.category, f.history) for m, f in expected] == [(1, "holiday", 8)]  # 8 weekend days borrowed


def test_percentile_rows_equal_numpy_percentile() -> None:
    rng = np.random.default_rng(5)
    rows, present = [], []
    for n in list(range(1, 29)) * 20:
        values = rng.choice([rng.uniform(0, 50, n), rng.integers(0, 4, n).astype(float), np.full(n, 2.5)])
        row = np.full(28, -7.0)
        mask = np.zeros(28, dtype=bool)
        at = rng.choice(28, n, replace=False)
        row[at], mask[at] = values, True
        rows.append(row)
        present.append(mask)
    special = [np.array([1.0, np.nan, 3.0]), np.array([1.0, np.inf, 3.0]), np.array([-np.inf, 1.0]), np.array([4.0])]
    for values in special:
        row = np.full(28, 0.0)
        row[: len(values)] = values
        rows.append(row)
        present.append(np.arange(28) < len(values))
    values, mask = np.array(rows), np.array(present)
    for q in (80.0, 50.0, 33.3, 99.0, 1.0, 100.0, 12.5):
        got = waste_arrays.percentile_rows(values, mask, q)
        with np.errstate(invalid="ignore"):
            expected = np.array([np.percentile(v[p].tolist(), q) for v, p in zip(values, mask, strict=True)])
        assert np.array_equal(got, expected, equal_nan=True), q
    assert np.isnan(got[-4]) and not np.isnan(got[-3])  # positive control: NaN only where a value is NaN


def test_categories_of_the_table_are_the_rule() -> None:
    """Every (profile, day kind, hour) category of the array table is ``waste.category`` of such an hour."""
    cal = CALENDARS["office"]
    table = waste_arrays.category_table(cal)
    days = {"working_day": date(2026, 3, 3), "weekend": date(2026, 3, 7), "holiday": date(2026, 4, 6)}
    for p, profile in enumerate(waste_arrays.PROFILES):
        for k, kind in enumerate(waste_arrays.KINDS):
            assert waste.day_kind(days[kind], cal) == kind
            for i in range(24):
                hour = datetime.combine(days[kind], time(i), TZ)
                assert waste_arrays.CATEGORIES[table[p, k, i]] == waste.category(profile, hour, cal, TZ)
