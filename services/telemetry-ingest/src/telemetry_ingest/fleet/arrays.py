"""The fleet rules over a track held as numpy columns: the evaluator's and the endpoints' path.

The per-:class:`~telemetry_ingest.fleet.rules.Fix` functions of ``tests/oracles/fleet_rules.py`` (the oracle)
are the reference: every function here keeps their semantics exactly (same comparisons, the same
floating-point operations in the same order where a sum or a threshold depends on it) and the equivalence
tests assert identical trips, stops, distances and alerts. A vehicle-day of 10-s fixes costs tens of ms
per vehicle as Python objects (docs/telemetry-analytics.md); as columns it is a few array passes plus a
loop over the few state changes of the track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.fleet.rules import (
    Fence,
    Fix,
    Run,
    SegmentParams,
    Stop,
    haversine_m,
    haversine_np,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_S = 1_000_000
HOUR_US = 3600 * US_PER_S
DAY_US = 24 * HOUR_US
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
PG_EPOCH_US = (date(2000, 1, 1).toordinal() - EPOCH_ORDINAL) * DAY_US  # PostgreSQL's timestamp epoch
#: per-fix calendar classes, ordered by severity (a trip takes its worst fix's class)
USE_CLASSES = ("permitted", "off_hours", "sealed_holiday")


@dataclass(frozen=True)
class FixArrays:
    """One vehicle's fixes as columns: ``us`` whole microseconds since the epoch (int64, exact, so
    ``us / 1e6`` equals ``Fix.ts.timestamp()`` and differences / 1e6 equal ``total_seconds()``), ``lat``,
    ``lon``, ``speed`` km/h (NaN when not reported), ``ign`` ignition (1 on, 0 off, -1 not reported)."""

    us: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    speed: np.ndarray
    ign: np.ndarray

    def __len__(self) -> int:
        return len(self.us)

    @classmethod
    def empty(cls) -> FixArrays:
        return cls.from_columns([], [], [], [], [])

    @classmethod
    def from_columns(cls, us: Any, lat: Any, lon: Any, speed: Any, ign: Any) -> FixArrays:
        """From sequences (e.g. the database's arrays); ``None`` speeds become NaN."""
        return cls(
            np.asarray(us, dtype=np.int64),
            np.asarray(lat, dtype=np.float64),
            np.asarray(lon, dtype=np.float64),
            np.asarray(speed, dtype=np.float64),
            np.asarray(ign, dtype=np.int8),
        )

    @classmethod
    def from_binary(cls, ts: bytes, lat: bytes, lon: bytes, speed: bytes, ign: bytes) -> FixArrays:
        """From PostgreSQL binary values concatenated per column (``timestamptz_send``: int64 µs since
        2000-01-01; ``float8send``; ``int2send``), sorted by time."""
        track = cls(
            np.frombuffer(ts, dtype=">i8").astype(np.int64) + PG_EPOCH_US,
            np.frombuffer(lat, dtype=">f8").astype(np.float64),
            np.frombuffer(lon, dtype=">f8").astype(np.float64),
            np.frombuffer(speed, dtype=">f8").astype(np.float64),
            np.frombuffer(ign, dtype=">i2").astype(np.int8),
        )
        return ordered(track)

    @classmethod
    def from_fixes(cls, fixes: list[Fix]) -> FixArrays:
        return cls.from_columns(
            [(f.ts - EPOCH) // timedelta(microseconds=1) for f in fixes],
            [f.lat for f in fixes],
            [f.lon for f in fixes],
            [math.nan if f.speed_kmh is None else f.speed_kmh for f in fixes],
            [-1 if f.ignition is None else int(f.ignition) for f in fixes],
        )

    def take(self, idx: np.ndarray) -> FixArrays:
        return FixArrays(self.us[idx], self.lat[idx], self.lon[idx], self.speed[idx], self.ign[idx])

    def ts(self, i: int) -> datetime:
        return EPOCH + timedelta(microseconds=int(self.us[i]))

    def fix(self, i: int) -> Fix:
        speed = float(self.speed[i])
        ign = int(self.ign[i])
        return Fix(
            self.ts(i),
            float(self.lat[i]),
            float(self.lon[i]),
            None if math.isnan(speed) else speed,
            None if ign < 0 else bool(ign),
        )

    @property
    def speed0(self) -> np.ndarray:
        """Speed with a missing value as 0 (the reference's ``f.speed_kmh or 0.0``)."""
        return np.where(np.isnan(self.speed), 0.0, self.speed)


def _seconds(us: int) -> float:
    return us / US_PER_S


def _us_at_least(seconds: float) -> int:
    """The smallest whole microsecond count ``d`` with ``d / 1e6 >= seconds`` (the reference compares
    ``timedelta.total_seconds()`` with the setting; this turns it into an exact integer threshold)."""
    d = math.ceil(seconds * US_PER_S)
    while (d - 1) / US_PER_S >= seconds:
        d -= 1
    while d / US_PER_S < seconds:
        d += 1
    return d


def ordered(track: FixArrays) -> FixArrays:
    """Sorted by time, the first of fixes sharing an instant kept (as the oracle's ``drop_jumps`` orders)."""
    if len(track) < 2 or bool(np.all(track.us[1:] > track.us[:-1])):
        return track
    idx = np.argsort(track.us, kind="stable")
    us = track.us[idx]
    keep = np.ones(len(idx), dtype=bool)
    keep[1:] = us[1:] > us[:-1]
    return track.take(idx[keep])


def consecutive_kmh(track: FixArrays) -> np.ndarray:
    """the oracle's ``consecutive_kmh`` over columns."""
    if len(track) < 2:
        return np.zeros(0)
    dist = haversine_np(track.lat[:-1], track.lon[:-1], track.lat[1:], track.lon[1:])
    dt = np.diff(track.us / US_PER_S)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(dt > 0, dist / dt * 3.6, np.inf))


def _implied_kmh(track: FixArrays, a: int, b: int) -> float:
    dt = _seconds(int(track.us[b]) - int(track.us[a]))
    if dt <= 0:
        return math.inf
    return haversine_m(float(track.lat[a]), float(track.lon[a]), float(track.lat[b]), float(track.lon[b])) / dt * 3.6


def drop_jumps(track: FixArrays, *, max_speed_kmh: float) -> FixArrays:
    """the oracle's ``drop_jumps`` over columns. Only a fix whose next step is implausible (or the last fix)
    can be a jump, so the loop visits those few candidates and keeps every other fix at once."""
    track = ordered(track)
    n = len(track)
    if n < 2:
        return track
    step = consecutive_kmh(track)
    suspect = np.ones(n, dtype=bool)
    suspect[:-1] = step > max_speed_kmh
    suspect[0] = False  # the first fix is always kept
    keep = np.ones(n, dtype=bool)
    steps = step.tolist()
    for i in np.flatnonzero(suspect).tolist():
        last = i - 1
        while not keep[last]:
            last -= 1
        speed = steps[i - 1] if last == i - 1 else _implied_kmh(track, last, i)
        if speed > max_speed_kmh:
            keep[i] = False
    return track if bool(keep.all()) else track.take(np.flatnonzero(keep))


def _distance_m(track: FixArrays, first: int, last: int) -> float:
    """the oracle's ``distance_km`` * 1000 of fixes ``first..last`` (the same array sum)."""
    if last - first < 1:
        return 0.0
    d = haversine_np(
        track.lat[first:last], track.lon[first:last], track.lat[first + 1 : last + 1], track.lon[first + 1 : last + 1]
    )
    return float(d.sum()) / 1000.0 * 1000.0


def distance_km(track: FixArrays, *, max_speed_kmh: float | None = None) -> float:
    """the oracle's ``distance_km`` over columns."""
    if len(track) < 2:
        return 0.0
    d = haversine_np(track.lat[:-1], track.lon[:-1], track.lat[1:], track.lon[1:])
    if max_speed_kmh is not None:
        dt = np.diff(track.us / US_PER_S)
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(dt > 0, d / dt * 3.6, np.inf)
        d = d[speed <= max_speed_kmh]
    return float(d.sum()) / 1000.0


@dataclass(frozen=True)
class Trip:
    """A trip of fixes ``first..last`` of a cleaned track (the reference's ``TripSegment``)."""

    first: int
    last: int
    start_at: datetime
    end_at: datetime
    start_lat: float
    start_lon: float
    end_lat: float
    end_lon: float
    distance_m: float
    max_speed_kmh: float

    @property
    def duration_s(self) -> float:
        return (self.end_at - self.start_at).total_seconds()


def moving(track: FixArrays, moving_kmh: float) -> np.ndarray:
    """Per fix, the reference's ``_moving``: ignition off is standstill, else the reported speed, else the
    speed implied from the previous fix."""
    has_speed = ~np.isnan(track.speed)
    out = np.zeros(len(track), dtype=bool)
    out[has_speed] = track.speed[has_speed] >= moving_kmh
    for i in np.flatnonzero(~has_speed & (track.ign != 0)).tolist():
        out[i] = i > 0 and track.us[i] > track.us[i - 1] and _implied_kmh(track, i - 1, i) >= moving_kmh
    out[track.ign == 0] = False
    return out


def _first_at_or_after(indices: np.ndarray, i: int, n: int) -> int:
    k = int(np.searchsorted(indices, i))
    return int(indices[k]) if k < len(indices) else n


def trip_bounds(track: FixArrays, params: SegmentParams) -> list[tuple[int, int]]:
    """(first, last) fix of each candidate trip, by the state machine of the oracle's ``segment``, jumping
    from one state change (motion, standstill, data gap, parking long enough) to the next."""
    n = len(track)
    if n == 0:
        return []
    us = track.us
    parking_us = _us_at_least(params.min_parking_s)
    mov = moving(track, params.moving_speed_kmh)
    gap = np.zeros(n, dtype=bool)
    gap[1:] = np.diff(us) >= parking_us
    moves, stills, gaps = np.flatnonzero(mov), np.flatnonzero(~mov), np.flatnonzero(gap)
    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        i = _first_at_or_after(moves, i, n)  # no trip: nothing happens before a moving fix
        if i >= n:
            break
        start = i - 1 if i > 0 and not gap[i] else i
        i += 1
        still = -1  # first fix of the current standstill inside the trip
        while True:
            if still < 0:
                j = min(_first_at_or_after(gaps, i, n), _first_at_or_after(stills, i, n))
                if j >= n:
                    out.append((start, n - 1))
                    i = n
                    break
                if gap[j]:
                    out.append((start, j - 1))
                    i = j
                    break
                still, i = j, j + 1
                if parking_us <= 0:
                    out.append((start, still))
                    break
            else:
                parked = max(i, int(np.searchsorted(us, int(us[still]) + parking_us)))
                j = min(_first_at_or_after(gaps, i, n), _first_at_or_after(moves, i, n), parked)
                if j >= n:
                    out.append((start, still))
                    i = n
                    break
                if gap[j]:
                    out.append((start, still))
                    i = j
                    break
                if mov[j]:
                    still, i = -1, j + 1
                    continue
                out.append((start, still))
                i = j + 1
                break
    return out


def segment(track: FixArrays, params: SegmentParams) -> tuple[list[Trip], list[Stop]]:
    """the oracle's ``segment`` over columns: trips and stops of a cleaned, time-sorted track."""
    speed0 = track.speed0
    trips = []
    for first, last in trip_bounds(track, params):
        trip = Trip(
            first=first,
            last=last,
            start_at=track.ts(first),
            end_at=track.ts(last),
            start_lat=float(track.lat[first]),
            start_lon=float(track.lon[first]),
            end_lat=float(track.lat[last]),
            end_lon=float(track.lon[last]),
            distance_m=_distance_m(track, first, last),
            max_speed_kmh=float(speed0[first : last + 1].max()),
        )
        if trip.distance_m >= params.min_trip_distance_m and trip.duration_s >= params.min_trip_duration_s:
            trips.append(trip)
    return trips, _stops(track, trips, params.min_parking_s)


def _stops(track: FixArrays, trips: list[Trip], min_parking_s: float) -> list[Stop]:
    if len(track) == 0:
        return []
    bounds: list[tuple[int, int]] = []
    cursor = 0
    for t in trips:
        bounds.append((cursor, t.first))
        cursor = t.last
    bounds.append((cursor, len(track) - 1))
    return [
        Stop(start=track.ts(a), end=track.ts(b), lat=float(track.lat[a]), lon=float(track.lon[a]))
        for a, b in bounds
        if _seconds(int(track.us[b]) - int(track.us[a])) >= min_parking_s
    ]


def runs(track: FixArrays, ok: np.ndarray, *, max_gap_s: float, value: np.ndarray) -> list[Run]:
    """the oracle's ``runs`` over columns: maximal runs of consecutive fixes with ``ok`` (a gap longer than
    ``max_gap_s`` breaks a run), with the peak of ``value``."""
    n = len(track)
    if n == 0:
        return []
    joined = np.zeros(n, dtype=bool)  # fix i continues a run through fix i - 1
    joined[1:] = ok[1:] & ok[:-1] & (np.diff(track.us) / US_PER_S <= max_gap_s)
    starts = np.flatnonzero(ok & ~joined)
    if len(starts) == 0:
        return []
    ends = np.flatnonzero(ok & ~np.append(joined[1:], False))
    peaks = np.maximum.reduceat(np.where(ok, value, -np.inf), starts)
    return [
        Run(track.ts(s), track.ts(e), e - s + 1, p)
        for s, e, p in zip(starts.tolist(), ends.tolist(), peaks.tolist(), strict=True)
    ]


def overspeed(track: FixArrays, *, limit_kmh: float, min_duration_s: float, max_gap_s: float = 60) -> list[Run]:
    """the oracle's ``overspeed`` over columns."""
    ok = ~np.isnan(track.speed) & (np.nan_to_num(track.speed, nan=-np.inf) > limit_kmh)
    found = runs(track, ok, max_gap_s=max_gap_s, value=track.speed0)
    return [r for r in found if r.duration_s >= min_duration_s]


def idling(track: FixArrays, *, idle_speed_kmh: float, max_idle_s: float, max_gap_s: float = 120) -> list[Run]:
    """the oracle's ``idling`` over columns."""
    speed0 = track.speed0
    found = runs(track, (track.ign == 1) & (speed0 <= idle_speed_kmh), max_gap_s=max_gap_s, value=speed0)
    return [r for r in found if r.duration_s > max_idle_s]


def _offset_us(us: int, tz: ZoneInfo) -> int:
    offset = (EPOCH + timedelta(microseconds=us)).astimezone(tz).utcoffset()
    return 0 if offset is None else offset // timedelta(microseconds=1)


def local_us(us: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Local wall-clock microseconds (``ts.astimezone(tz)`` as a count): the offset is looked up once per
    UTC hour, and per fix only within an hour where it changes."""
    if len(us) == 0:
        return us.copy()
    hours, inverse = np.unique(us // HOUR_US, return_inverse=True)
    offsets = np.empty(len(hours), dtype=np.int64)
    changing = []
    for k, h in enumerate(hours.tolist()):
        offsets[k] = _offset_us(h * HOUR_US, tz)
        if _offset_us(h * HOUR_US + HOUR_US - 1, tz) != offsets[k]:
            changing.append(k)
    out = us + offsets[inverse]
    for k in changing:
        for i in np.flatnonzero(inverse == k).tolist():
            out[i] = us[i] + _offset_us(int(us[i]), tz)
    return np.asarray(out)


def _day_numbers(days: frozenset[date]) -> np.ndarray:
    return np.array([d.toordinal() - EPOCH_ORDINAL for d in days], dtype=np.int64)


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US_PER_S + t.microsecond


def use_classes(track: FixArrays, cal: UseCalendar, tz: ZoneInfo) -> np.ndarray:
    """Per fix, :meth:`UseCalendar.classify` as an index into :data:`USE_CLASSES`."""
    local = local_us(track.us, tz)
    day = local // DAY_US
    clock = local - day * DAY_US
    iso_weekday = (day + 3) % 7 + 1  # 1970-01-01 was a Thursday
    working = np.isin(day, _day_numbers(cal.extra_workdays)) | np.isin(iso_weekday, list(cal.working_weekdays))
    permitted = working & (clock >= _time_us(cal.work_start)) & (clock < _time_us(cal.work_end))
    out = np.where(permitted, 0, 1).astype(np.int8)
    out[np.isin(day, _day_numbers(cal.holidays))] = 2
    return out


def trip_use(classes: np.ndarray, trip: Trip) -> str:
    """the oracle's ``classify_trip``: the worst class of any fix of the trip."""
    return USE_CLASSES[int(classes[trip.first : trip.last + 1].max())]


def _in_ring(x: np.ndarray, y: np.ndarray, ring: Any) -> np.ndarray:
    inside = np.zeros(len(x), dtype=bool)
    n = len(ring)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n):
            x1, y1 = ring[i][0], ring[i][1]
            x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
            crosses = (y1 > y) != (y2 > y)
            inside ^= crosses & (x < (x2 - x1) * (y - y1) / (y2 - y1) + x1)
    return inside


def fence_inside(track: FixArrays, fence: Fence) -> np.ndarray:
    """Per fix, :meth:`Fence.contains` (the circle as the oracle's ``fence_exits`` computes it)."""
    n = len(track)
    if fence.kind == "circle":
        if fence.center_lat is None or fence.center_lon is None:
            return np.zeros(n, dtype=bool)
        d = haversine_np(
            track.lat, track.lon, np.full_like(track.lat, fence.center_lat), np.full_like(track.lon, fence.center_lon)
        )
        return np.asarray(d <= (fence.radius_m if fence.radius_m is not None else -1.0))
    geom = fence.geometry or {}
    if geom.get("type") == "Polygon":
        polys = [geom.get("coordinates", [])]
    elif geom.get("type") == "MultiPolygon":
        polys = list(geom.get("coordinates", []))
    else:
        return np.zeros(n, dtype=bool)
    inside = np.zeros(n, dtype=bool)
    for rings in polys:
        if not rings:
            continue
        part = _in_ring(track.lon, track.lat, rings[0])
        for hole in rings[1:]:
            part &= ~_in_ring(track.lon, track.lat, hole)
        inside |= part
    return inside


def fence_exits(track: FixArrays, fence: Fence) -> list[int]:
    """the oracle's ``fence_exits`` over columns: indices of the first fix outside after a fix inside."""
    if len(track) == 0:
        return []
    inside = fence_inside(track, fence)
    return (np.flatnonzero(inside[:-1] & ~inside[1:]) + 1).tolist()
