"""Fleet value types and pure geometry: fixes, fences, request windows, segmentation parameters, haversine,
request matching, Douglas-Peucker simplification.

No I/O. The per-:class:`Fix` rules (jump filter, distance, segmentation, alert runs, fence exits) that were
the reference semantics live with the tests (``tests/oracles/fleet_rules.py``); the evaluator and the
endpoints run their column twins in :mod:`fleet.arrays`, which the equivalence tests check against them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from telemetry_ingest.analytics.sql import EARTH_RADIUS_M


@dataclass(frozen=True)
class Fix:
    ts: datetime
    lat: float
    lon: float
    speed_kmh: float | None = None
    ignition: bool | None = None


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_np(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """:func:`haversine_m` over arrays (same radius, same formula)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a))))


@dataclass(frozen=True)
class SegmentParams:
    moving_speed_kmh: float = 5.0
    min_trip_distance_m: float = 300.0
    min_trip_duration_s: float = 120.0
    min_parking_s: float = 300.0


@dataclass(frozen=True)
class Stop:
    start: datetime
    end: datetime
    lat: float
    lon: float

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Run:
    start: datetime
    end: datetime
    fixes: int
    peak: float

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Fence:
    """A polygon (GeoJSON Polygon/MultiPolygon geometry) or a circle."""

    kind: str
    geometry: dict[str, Any] | None = None
    center_lat: float | None = None
    center_lon: float | None = None
    radius_m: float | None = None

    def contains(self, lat: float, lon: float) -> bool:
        if self.kind == "circle":
            if self.center_lat is None or self.center_lon is None or self.radius_m is None:
                return False
            return haversine_m(lat, lon, self.center_lat, self.center_lon) <= self.radius_m
        geom = self.geometry or {}
        polys: list[Any]
        if geom.get("type") == "Polygon":
            polys = [geom.get("coordinates", [])]
        elif geom.get("type") == "MultiPolygon":
            polys = list(geom.get("coordinates", []))
        else:
            return False
        for rings in polys:
            if rings and _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, hole) for hole in rings[1:]):
                return True
        return False


def _in_ring(x: float, y: float, ring: Sequence[Sequence[float]]) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


@dataclass(frozen=True)
class RequestWindow:
    id: str
    start: datetime
    end: datetime


def request_covering(
    start: datetime, end: datetime, requests: Sequence[RequestWindow], *, grace: timedelta
) -> str | None:
    """:func:`match_request` for a trip from ``start`` to ``end``."""
    for r in sorted(requests, key=lambda x: x.start):
        if r.start - grace <= start <= r.end and end <= r.end + grace:
            return r.id
    return None


def douglas_peucker(points: Sequence[tuple[float, float]], tolerance_m: float) -> list[tuple[float, float]]:
    """Simplify a (lon, lat) polyline, keeping points farther than ``tolerance_m`` from the chord.
    Each chord's distances are computed at once with numpy (the same arithmetic and the same first
    farthest point as :func:`douglas_peucker_loop`): a day of 10-s fixes took most of a second in Python."""
    if len(points) < 3 or tolerance_m <= 0:
        return list(points)
    lat0 = math.radians(sum(p[1] for p in points) / len(points))
    kx, ky = EARTH_RADIUS_M * math.cos(lat0) * math.pi / 180, EARTH_RADIUS_M * math.pi / 180
    arr = np.asarray(points, dtype=np.float64)
    xs, ys = arr[:, 0] * kx, arr[:, 1] * ky
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        ax, ay, bx, by = xs[i], ys[i], xs[j], ys[j]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        px, py = xs[i + 1 : j], ys[i + 1 : j]
        if norm == 0:
            d = np.hypot(px - ax, py - ay)
        else:
            t = np.clip(((px - ax) * dx + (py - ay) * dy) / (norm * norm), 0.0, 1.0)
            d = np.hypot(px - (ax + t * dx), py - (ay + t * dy))
        k = int(np.argmax(d))
        if d[k] > tolerance_m:
            best = i + 1 + k
            keep[best] = True
            stack += [(i, best), (best, j)]
    return [p for p, k in zip(points, keep.tolist(), strict=True) if k]
