"""Scripted vehicle days for the demo history and the KPI tests (pure, seeded).

Unlike the live simulator, a scripted day knows what it contains: trips with their trip requests (most
approved, some rejected, a few never filed), idling, sealed holidays respected, and a known number of
each violation (off-hours use, sealed-holiday use, unrequested use, overspeed), so the vehicle KPIs are
non-trivial and testable.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telemetry_ingest.fleet.rules import Fix
from telemetry_ingest.fleet.synthetic import Track
from telemetry_ingest.simulator.model import HOLIDAYS, HQ

MOVING_STEP_S = 30
PARKED_STEP_S = 600


@dataclass(frozen=True)
class ScriptedRequest:
    window_start: datetime
    window_end: datetime
    approved: bool


@dataclass
class VehicleDay:
    fixes: list[Fix] = field(default_factory=list)
    requests: list[ScriptedRequest] = field(default_factory=list)
    violations: Counter[str] = field(default_factory=Counter)


def _park(track: Track, until: datetime) -> None:
    """Parked with the engine off: a heartbeat every 10 min."""
    step = timedelta(seconds=PARKED_STEP_S)
    while track.ts + step <= until:
        track.fixes.append(Fix(track.ts, track.lat, track.lon, 0.0, False))
        track.ts += step
    track.at(until)


def _trip(track: Track, rng: random.Random, *, speed: float, overspeed: bool) -> None:
    origin = (track.lat, track.lon)
    heading = rng.uniform(0, 360)
    out_s = rng.uniform(900, 1800)
    track.stand(60, ignition=True)
    track.drive(out_s / 2, speed, heading)
    if overspeed:
        track.drive(120, 110, heading)
    track.drive(out_s / 2, speed, heading)
    track.stand(rng.uniform(1200, 3600), ignition=False)  # the meeting
    track.drive(out_s + (120 * 110 / speed if overspeed else 0), speed, (heading + 180) % 360)
    track.lat, track.lon = origin  # back on the parking space (the legs were rounded to whole fixes)
    track.stand(60, ignition=False)


def vehicle_day(day: date, rng: random.Random, tz: ZoneInfo, holidays: frozenset[date] = HOLIDAYS) -> VehicleDay:
    """One vehicle's day parked at the Administrative Center, with trips, requests and injected violations."""
    out = VehicleDay()
    midnight = datetime.combine(day, time(0), tz)
    track = Track(midnight, HQ[0] + rng.uniform(-0.0008, 0.0008), HQ[1] + rng.uniform(-0.0008, 0.0008), MOVING_STEP_S)
    working = day.isoweekday() <= 5 and day not in holidays
    departures: list[tuple[datetime, str]] = []
    if working:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            departures.append((midnight + timedelta(hours=rng.uniform(8, 15.5)), "permitted"))
        if rng.random() < 0.04:
            departures.append((midnight + timedelta(hours=rng.uniform(19.5, 21)), "off_hours"))
    elif day in holidays:
        if rng.random() < 0.02:
            departures.append((midnight + timedelta(hours=rng.uniform(9, 15)), "sealed_holiday"))
    elif rng.random() < 0.03:
        departures.append((midnight + timedelta(hours=rng.uniform(9, 15)), "off_hours"))
    departures.sort()
    for leave, use in departures:
        if leave <= track.ts + timedelta(hours=1):  # outings (and their request windows) never overlap
            continue
        _park(track, leave)
        started = track.ts
        if use == "permitted" and rng.random() < 0.1:
            track.stand(rng.uniform(660, 1200), ignition=True)  # idling before leaving: a warning, not a violation
        overspeed = rng.random() < 0.05
        _trip(track, rng, speed=rng.uniform(30, 50), overspeed=overspeed)
        if overspeed:
            out.violations["overspeed"] += 1
        # an outing is two trips (out, back: the meeting is a parking stop); each is judged on its own
        filed = use == "permitted" and rng.random() < 0.95
        if filed:
            approved = rng.random() < 0.9
            window_end = track.ts + timedelta(minutes=15)
            out.requests.append(ScriptedRequest(started - timedelta(minutes=10), window_end, approved))
            if not approved:
                out.violations["unrequested_use"] += 2
        else:
            out.violations["unrequested_use"] += 2
        if use != "permitted":
            out.violations[use] += 2
            out.violations["geofence_exit"] += 1  # leaving the parking area outside permitted hours
    _park(track, midnight + timedelta(days=1) - timedelta(seconds=1))
    out.fixes = [f for f in track.fixes if f.ts < midnight + timedelta(days=1)]
    return out
