"""Test oracle: the per-:class:`Fix` fleet rules (jump filter, distance, trip/stop segmentation, alert runs,
fence exits, request matching, loop Douglas-Peucker), the reference semantics of :mod:`fleet.arrays`.

The service runs the column twins in :mod:`telemetry_ingest.fleet.arrays`; these functions are what the
equivalence tests and :mod:`oracles.fleet_per_fix` check them against. The value types and the helpers the
service shares (``Fix``, ``Fence``, ``SegmentParams``, ``Stop``, ``Run``, haversine, ``request_covering``,
``douglas_peucker``) stay in :mod:`telemetry_ingest.fleet.rules` and are re-exported here, so a test reads
every rule as ``rules.<name>``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.sql import EARTH_RADIUS_M
from telemetry_ingest.fleet.rules import (
    Fence,
    Fix,
    RequestWindow,
    Run,
    SegmentParams,
    Stop,
    douglas_peucker,
    haversine_m,
    haversine_np,
    request_covering,
)

__all__ = [
    "Fence",
    "Fix",
    "RequestWindow",
    "Run",
    "SegmentParams",
    "Stop",
    "douglas_peucker",
    "haversine_m",
    "haversine_np",
    "request_covering",
]


def consecutive_kmh(fixes: Sequence[Fix]) -> np.ndarray:
    """Implied speed from each fix to the next (inf when the time does not advance); len(fixes) - 1 values."""
    if len(fixes) < 2:
        return np.zeros(0)
    lat = np.fromiter((f.lat for f in fixes), float, len(fixes))
    lon = np.fromiter((f.lon for f in fixes), float, len(fixes))
    t = np.fromiter((f.ts.timestamp() for f in fixes), float, len(fixes))
    dist = haversine_np(lat[:-1], lon[:-1], lat[1:], lon[1:])
    dt = np.diff(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(dt > 0, dist / dt * 3.6, np.inf))


def fix_distance_m(a: Fix, b: Fix) -> float:
    return haversine_m(a.lat, a.lon, b.lat, b.lon)


def implied_kmh(a: Fix, b: Fix) -> float:
    dt = (b.ts - a.ts).total_seconds()
    return math.inf if dt <= 0 else fix_distance_m(a, b) / dt * 3.6


def drop_jumps(fixes: Iterable[Fix], *, max_speed_kmh: float) -> list[Fix]:
    """Fixes sorted by time without GPS jumps.

    A fix implausibly far from the last kept one (implied speed above ``max_speed_kmh``) is a jump when
    the next fix is implausibly far from it too (out and back: a multipath spike) or when there is no next
    fix; when the next fix agrees with it, the terminal has relocated (e.g. after a gap) and it is kept.
    """
    ordered: list[Fix] = []
    for f in sorted(fixes, key=lambda x: x.ts):
        if not ordered or f.ts > ordered[-1].ts:
            ordered.append(f)
    step = consecutive_kmh(ordered)  # vectorised; the loop recomputes only after a dropped fix
    kept: list[Fix] = []
    last = -1
    for i, f in enumerate(ordered):
        if kept:
            speed = step[i - 1] if last == i - 1 else implied_kmh(kept[-1], f)
            if speed > max_speed_kmh and (i + 1 >= len(ordered) or step[i] > max_speed_kmh):
                continue
        kept.append(f)
        last = i
    return kept


def distance_km(fixes: Sequence[Fix], *, max_speed_kmh: float | None = None) -> float:
    """Sum of segment lengths; with ``max_speed_kmh`` an implausible segment (a relocation) counts zero."""
    if len(fixes) < 2:
        return 0.0
    lat = np.fromiter((f.lat for f in fixes), float, len(fixes))
    lon = np.fromiter((f.lon for f in fixes), float, len(fixes))
    d = haversine_np(lat[:-1], lon[:-1], lat[1:], lon[1:])
    if max_speed_kmh is not None:
        t = np.fromiter((f.ts.timestamp() for f in fixes), float, len(fixes))
        dt = np.diff(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(dt > 0, d / dt * 3.6, np.inf)
        d = d[speed <= max_speed_kmh]
    return float(d.sum()) / 1000.0


def daily_distance_km(fixes: Sequence[Fix], tz: ZoneInfo, *, max_speed_kmh: float | None = None) -> dict[date, float]:
    """Distance per local day of the segment start (the SQL twin is ``repository.distance``)."""
    out: dict[date, float] = {}
    for a, b in itertools.pairwise(fixes):
        if max_speed_kmh is not None and implied_kmh(a, b) > max_speed_kmh:
            continue
        day = a.ts.astimezone(tz).date()
        out[day] = out.get(day, 0.0) + fix_distance_m(a, b) / 1000.0
    return out


@dataclass
class TripSegment:
    start: Fix
    end: Fix
    fixes: list[Fix] = field(repr=False)
    distance_m: float = 0.0
    max_speed_kmh: float = 0.0

    @property
    def duration_s(self) -> float:
        return (self.end.ts - self.start.ts).total_seconds()


def _moving(prev: Fix | None, f: Fix, moving_kmh: float) -> bool:
    if f.ignition is False:
        return False
    if f.speed_kmh is not None:
        return f.speed_kmh >= moving_kmh
    if prev is None:
        return False
    dt = (f.ts - prev.ts).total_seconds()
    return dt > 0 and fix_distance_m(prev, f) / dt * 3.6 >= moving_kmh


def segment(fixes: Sequence[Fix], params: SegmentParams) -> tuple[list[TripSegment], list[Stop]]:
    """Trips and stops of a cleaned, time-sorted track.

    A trip starts at the last standstill fix before motion and ends at the first standstill fix of a
    standstill lasting at least ``min_parking_s`` (ignition off counts as standstill; a data gap that long
    ends the trip too). Movements shorter than the minimum distance or duration are not trips. Stops are
    the standstills between trips (and at the ends of the window) lasting at least ``min_parking_s``.
    """
    trips: list[TripSegment] = []
    current: list[Fix] | None = None
    still_since: int | None = None  # index in current where the standstill began
    prev: Fix | None = None
    for f in fixes:
        moving = _moving(prev, f, params.moving_speed_kmh)
        gap = prev is not None and (f.ts - prev.ts).total_seconds() >= params.min_parking_s
        if current is not None and gap:
            end_idx = still_since if still_since is not None else len(current) - 1
            trips.append(_close(current[: end_idx + 1]))
            current, still_since = None, None
        if current is None:
            if moving:
                start = prev if prev is not None and not gap else f
                current = [start, f] if start is not f else [f]
                still_since = None
        else:
            current.append(f)
            if moving:
                still_since = None
            else:
                if still_since is None:
                    still_since = len(current) - 1
                if (f.ts - current[still_since].ts).total_seconds() >= params.min_parking_s:
                    trips.append(_close(current[: still_since + 1]))
                    current, still_since = None, None
        prev = f
    if current is not None:
        end_idx = still_since if still_since is not None else len(current) - 1
        trips.append(_close(current[: end_idx + 1]))
    kept = [
        t for t in trips if t.distance_m >= params.min_trip_distance_m and t.duration_s >= params.min_trip_duration_s
    ]
    return kept, _stops(fixes, kept, params.min_parking_s)


def _close(fixes: list[Fix]) -> TripSegment:
    return TripSegment(
        start=fixes[0],
        end=fixes[-1],
        fixes=fixes,
        distance_m=distance_km(fixes) * 1000.0,
        max_speed_kmh=max((f.speed_kmh or 0.0) for f in fixes),
    )


def _stops(fixes: Sequence[Fix], trips: Sequence[TripSegment], min_parking_s: float) -> list[Stop]:
    if not fixes:
        return []
    bounds: list[tuple[Fix, Fix]] = []
    cursor = fixes[0]
    for t in trips:
        bounds.append((cursor, t.start))
        cursor = t.end
    bounds.append((cursor, fixes[-1]))
    return [
        Stop(start=a.ts, end=b.ts, lat=a.lat, lon=a.lon)
        for a, b in bounds
        if (b.ts - a.ts).total_seconds() >= min_parking_s
    ]


def runs(
    fixes: Sequence[Fix], predicate: Callable[[Fix], bool], *, max_gap_s: float, value: Callable[[Fix], float]
) -> list[Run]:
    """Maximal runs of consecutive fixes satisfying ``predicate`` (a data gap breaks a run)."""
    out: list[Run] = []
    first: Fix | None = None
    last: Fix | None = None
    count, peak = 0, 0.0
    for f in fixes:
        ok = predicate(f)
        if ok and first is not None and last is not None and (f.ts - last.ts).total_seconds() <= max_gap_s:
            last, count, peak = f, count + 1, max(peak, value(f))
            continue
        if first is not None and last is not None:
            out.append(Run(first.ts, last.ts, count, peak))
        first, last, count, peak = (f, f, 1, value(f)) if ok else (None, None, 0, 0.0)
    if first is not None and last is not None:
        out.append(Run(first.ts, last.ts, count, peak))
    return out


def overspeed(fixes: Sequence[Fix], *, limit_kmh: float, min_duration_s: float, max_gap_s: float = 60) -> list[Run]:
    """Runs above the limit lasting at least ``min_duration_s`` (a single fast fix is not a violation)."""
    found = runs(
        fixes,
        lambda f: f.speed_kmh is not None and f.speed_kmh > limit_kmh,
        max_gap_s=max_gap_s,
        value=lambda f: f.speed_kmh or 0.0,
    )
    return [r for r in found if r.duration_s >= min_duration_s]


def idling(fixes: Sequence[Fix], *, idle_speed_kmh: float, max_idle_s: float, max_gap_s: float = 120) -> list[Run]:
    """Runs with the engine on at standstill longer than ``max_idle_s``."""
    found = runs(
        fixes,
        lambda f: f.ignition is True and (f.speed_kmh or 0.0) <= idle_speed_kmh,
        max_gap_s=max_gap_s,
        value=lambda f: f.speed_kmh or 0.0,
    )
    return [r for r in found if r.duration_s > max_idle_s]


def classify_trip(trip: TripSegment, cal: UseCalendar, tz: ZoneInfo) -> str:
    """The worst class of any fix of the trip: sealed_holiday > off_hours > permitted."""
    classes = {cal.classify(f.ts, tz) for f in trip.fixes}
    for c in ("sealed_holiday", "off_hours"):
        if c in classes:
            return c
    return "permitted"


def fence_exits(fixes: Sequence[Fix], fence: Fence) -> list[Fix]:
    """The first fix outside the fence after a fix inside it, for every exit."""
    if not fixes:
        return []
    if fence.kind == "circle" and fence.center_lat is not None and fence.center_lon is not None:
        lat = np.fromiter((f.lat for f in fixes), float, len(fixes))
        lon = np.fromiter((f.lon for f in fixes), float, len(fixes))
        d = haversine_np(lat, lon, np.full_like(lat, fence.center_lat), np.full_like(lon, fence.center_lon))
        inside = list(d <= (fence.radius_m if fence.radius_m is not None else -1.0))
    else:
        inside = [fence.contains(f.lat, f.lon) for f in fixes]
    return [fixes[i] for i in range(1, len(fixes)) if inside[i - 1] and not inside[i]]


def match_request(trip: TripSegment, requests: Sequence[RequestWindow], *, grace: timedelta) -> str | None:
    """The approved request covering the trip: it starts within [window start - grace, window end] and
    ends before window end + grace. The earliest such window wins."""
    return request_covering(trip.start.ts, trip.end.ts, requests, grace=grace)


def douglas_peucker_loop(points: Sequence[tuple[float, float]], tolerance_m: float) -> list[tuple[float, float]]:
    """The pure-Python Douglas-Peucker, kept as the reference the vectorised one is tested against."""
    if len(points) < 3 or tolerance_m <= 0:
        return list(points)
    lat0 = math.radians(sum(p[1] for p in points) / len(points))
    kx, ky = EARTH_RADIUS_M * math.cos(lat0) * math.pi / 180, EARTH_RADIUS_M * math.pi / 180
    xy = [(p[0] * kx, p[1] * ky) for p in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        (ax, ay), (bx, by) = xy[i], xy[j]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, best_d = -1, tolerance_m
        for k in range(i + 1, j):
            px, py = xy[k]
            if norm == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (norm * norm)))
                d = math.hypot(px - (ax + t * dx), py - (ay + t * dy))
            if d > best_d:
                best, best_d = k, d
        if best >= 0:
            keep[best] = True
            stack += [(i, best), (best, j)]
    return [p for p, k in zip(points, keep, strict=True) if k]
