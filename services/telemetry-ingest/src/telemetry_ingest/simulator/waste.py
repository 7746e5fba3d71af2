"""Known waste events for the simulator, the seed and the detection tests (pure, seeded).

An event raises one meter's load during the hours of one category of one day, in the way waste happens:
lights and HVAC left on overnight or over a weekend/holiday, outdoor lighting left on in daylight, a
data-centre load creeping up. Detection is scored against these (precision and recall).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy.waste import CHECKED, category, profile_for

#: added load during an event, as a share of the meter's peak (continuous: relative increase)
BOOST = {
    Profile.office: 0.6,
    Profile.hvac_setback: 0.6,
    Profile.outdoor_lighting: 0.9,
    Profile.continuous: 0.35,
}


@dataclass(frozen=True)
class WasteEvent:
    meter_id: str
    day: date
    category: str


def plan_events(
    meters: Sequence[tuple[str, str]],
    days: Iterable[date],
    *,
    cal: UseCalendar,
    tz: ZoneInfo,
    rate: float,
    rng: random.Random,
) -> list[WasteEvent]:
    """Events on a share ``rate`` of (meter, day) pairs; ``meters`` are (id, sub-item code). The category
    is one the meter's profile checks and the day has (a working day has no weekend hours)."""
    out = []
    for day in days:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=tz)
        hours = [noon.replace(hour=h) for h in range(24)]
        for meter_id, sub_item in meters:
            if rng.random() >= rate:
                continue
            profile = profile_for(sub_item, None)
            present = {category(profile, h, cal, tz) for h in hours} & set(CHECKED[profile])
            if present:
                out.append(WasteEvent(meter_id, day, rng.choice(sorted(present))))
    return out


def boost(
    events: dict[tuple[str, date], str], meter_id: str, sub_item: str, t: datetime, cal: UseCalendar, tz: ZoneInfo
) -> float:
    """Extra load factor (share of peak) of ``meter_id`` at ``t`` from a planned event."""
    cat = events.get((meter_id, t.astimezone(tz).date()))
    if cat is None:
        return 0.0
    profile = profile_for(sub_item, None)
    return BOOST[profile] if category(profile, t, cal, tz) == cat else 0.0


def score(found: Iterable[tuple[str, date, str]], truth: Iterable[WasteEvent]) -> tuple[float, float, int, int]:
    """(precision, recall, true positives, false positives) of detected (meter, day, category) triples."""
    expected = {(e.meter_id, e.day, e.category) for e in truth}
    got = set(found)
    tp = len(got & expected)
    fp = len(got - expected)
    precision = tp / len(got) if got else 1.0
    recall = tp / len(expected) if expected else 1.0
    return precision, recall, tp, fp


def day_range(first: date, after: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((after - first).days)]
