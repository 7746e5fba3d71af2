"""Synthetic vehicle tracks for tests, benchmarks and demos: drive, stop, idle, park, with 10 s fixes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from telemetry_ingest.analytics.sql import EARTH_RADIUS_M
from telemetry_ingest.fleet.rules import Fix


def offset(lat: float, lon: float, distance_m: float, heading_deg: float) -> tuple[float, float]:
    """The point ``distance_m`` away along ``heading_deg`` (flat-earth step; fine for short steps)."""
    h = math.radians(heading_deg)
    dlat = distance_m * math.cos(h) / EARTH_RADIUS_M
    dlon = distance_m * math.sin(h) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
    return lat + math.degrees(dlat), lon + math.degrees(dlon)


class Track:
    """A builder: each call appends fixes from where the vehicle is at the time it is."""

    def __init__(self, start: datetime, lat: float, lon: float, step_s: float = 10.0) -> None:
        self.ts = start
        self.lat = lat
        self.lon = lon
        self.step = timedelta(seconds=step_s)
        self.fixes: list[Fix] = []

    def _emit(self, speed: float, ignition: bool) -> None:
        self.fixes.append(Fix(self.ts, self.lat, self.lon, speed, ignition))

    def drive(self, duration_s: float, speed_kmh: float, heading_deg: float = 90.0) -> Track:
        n = int(duration_s / self.step.total_seconds())
        for _ in range(n):
            self._emit(speed_kmh, True)
            self.lat, self.lon = offset(self.lat, self.lon, speed_kmh / 3.6 * self.step.total_seconds(), heading_deg)
            self.ts += self.step
        return self

    def stand(self, duration_s: float, *, ignition: bool) -> Track:
        """Standstill (engine on: a traffic light or idling; engine off: parked)."""
        n = int(duration_s / self.step.total_seconds())
        for _ in range(n):
            self._emit(0.0, ignition)
            self.ts += self.step
        return self

    def silent(self, duration_s: float) -> Track:
        """No fixes (terminal off or out of coverage)."""
        self.ts += timedelta(seconds=duration_s)
        return self

    def jump(self, distance_m: float) -> Track:
        """One implausible fix ``distance_m`` away, then back on track (a GPS multipath jump)."""
        lat, lon = offset(self.lat, self.lon, distance_m, 0.0)
        self.fixes.append(Fix(self.ts, lat, lon, 0.0, True))
        self.ts += self.step
        return self

    def at(self, ts: datetime) -> Track:
        """Skip ahead to ``ts`` parked (no fixes in between)."""
        self.ts = ts
        return self
