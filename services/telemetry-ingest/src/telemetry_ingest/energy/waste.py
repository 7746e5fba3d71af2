"""Fair waste detection (pure): a meter wastes when its load exceeds its OWN expected profile.

Each meter has an operating profile (default by sub-item code, overridable per meter): offices and HVAC
are expected to drop at night, on weekends and holidays; outdoor lighting runs in the dark and should be
off in daylight; a data centre runs 24/7 at a steady load. For each checked hour category of the
profile, the day's average power is compared with a high percentile of the same category's daily
averages over the meter's own last weeks: a night-by-design load is never waste by design, and a meter
is judged against its own season.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.profiles import Profile

#: defaults by national sub-item code (longest prefix wins); a meter's ``operating_profile`` overrides them
DEFAULT_PROFILES: Mapping[str, Profile] = {
    "01A30": Profile.outdoor_lighting,
    "01D10": Profile.continuous,
    "01B": Profile.hvac_setback,
}

#: hour categories in which a load above the meter's own expectation is waste
CHECKED: Mapping[Profile, tuple[str, ...]] = {
    Profile.office: ("night", "weekend", "holiday"),
    Profile.hvac_setback: ("night", "weekend", "holiday"),
    Profile.outdoor_lighting: ("daylight",),
    Profile.continuous: ("continuous",),
}

#: a category with too little own history borrows a similar one (holidays are rare; weekends are close)
FALLBACK = {"holiday": "weekend"}

DAYLIGHT = (6, 18)


def profile_for(sub_item: str | None, override: str | None) -> Profile:
    if override:
        return Profile(override)
    code = sub_item or ""
    for prefix in sorted(DEFAULT_PROFILES, key=len, reverse=True):
        if code.startswith(prefix):
            return DEFAULT_PROFILES[prefix]
    return Profile.office


def category(profile: Profile, hour: datetime, cal: UseCalendar, tz: ZoneInfo) -> str:
    local = hour.astimezone(tz)
    return hour_category(profile, day_kind(local.date(), cal), local.time(), cal)


def day_kind(day: date, cal: UseCalendar) -> str:
    """``holiday`` (sealed), ``working_day`` (a working weekday or an extra working day) or ``weekend``."""
    if day in cal.holidays:
        return "holiday"
    if day in cal.extra_workdays or day.isoweekday() in cal.working_weekdays:
        return "working_day"
    return "weekend"


def hour_category(profile: Profile, kind: str, local: time, cal: UseCalendar) -> str:
    """The category of an hour starting at local time ``local`` on a day of ``kind`` (:func:`day_kind`)."""
    if profile is Profile.continuous:
        return "continuous"
    if profile is Profile.outdoor_lighting:
        return "daylight" if DAYLIGHT[0] <= local.hour < DAYLIGHT[1] else "dark"
    if kind != "working_day":
        return kind
    return "working" if cal.work_start <= local < cal.work_end else "night"


@dataclass(frozen=True)
class WastePolicy:
    percentile: float = 80.0
    tolerance: float = 0.15
    min_excess_kw: float = 0.5
    history_days: int = 28
    min_history: int = 3


@dataclass(frozen=True)
class WasteFinding:
    day: date
    category: str
    avg_kw: float
    threshold_kw: float
    expected_kw: float
    history: int


def daily_category_kw(
    hourly: Iterable[tuple[datetime, float]], profile: Profile, cal: UseCalendar, tz: ZoneInfo
) -> dict[tuple[date, str], float]:
    """Average power per (local day, category) from hourly kWh rows (one per hour with readings)."""
    sums: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for hour, kwh in hourly:
        key = (hour.astimezone(tz).date(), category(profile, hour, cal, tz))
        sums[key][0] += kwh
        sums[key][1] += 1
    return {k: v[0] / v[1] for k, v in sums.items() if v[1]}


def detect(
    hourly: Iterable[tuple[datetime, float]],
    *,
    day: date,
    profile: Profile,
    cal: UseCalendar,
    tz: ZoneInfo,
    policy: WastePolicy,
) -> list[WasteFinding]:
    """Waste findings of one meter on ``day`` against its own history of the previous ``history_days``."""
    return detect_days(daily_category_kw(hourly, profile, cal, tz), days=[day], profile=profile, policy=policy)


def detect_days(
    kw: Mapping[tuple[date, str], float], *, days: Iterable[date], profile: Profile, policy: WastePolicy
) -> list[WasteFinding]:
    """Waste findings of one meter on each of ``days`` from its daily category averages ``kw``."""
    by_cat: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for (d, c), v in kw.items():
        by_cat[c].append((d, v))
    out = []
    for day in days:
        first = day - timedelta(days=policy.history_days)
        for cat in CHECKED[profile]:
            current = kw.get((day, cat))
            if current is None:
                continue
            history = [v for d, v in by_cat.get(cat, ()) if first <= d < day]
            if len(history) < policy.min_history and cat in FALLBACK:
                history = [v for d, v in by_cat.get(FALLBACK[cat], ()) if first <= d < day]
            if len(history) < policy.min_history:
                continue  # not enough own history to judge fairly
            expected = float(np.percentile(history, policy.percentile))
            threshold = max(expected * (1 + policy.tolerance), expected + policy.min_excess_kw)
            if current > threshold:
                out.append(WasteFinding(day, cat, current, threshold, expected, len(history)))
    return out
