"""The vectorised Douglas-Peucker keeps exactly the points of the pure-Python reference."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from oracles import fleet_rules as rules
from telemetry_ingest.fleet.synthetic import Track

HQ = (31.81, 119.97)


def _random_walk(seed: int, n: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    lon, lat, pts = HQ[1], HQ[0], []
    for _ in range(n):
        lon, lat = lon + rng.gauss(0, 2e-4), lat + rng.gauss(0, 2e-4)
        pts.append((lon, lat))
        if rng.random() < 0.05:  # standing still: repeated points and zero-length chords
            pts += [(lon, lat)] * rng.randint(1, 5)
    return pts


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tolerance_m", [1.0, 10.0, 50.0])
def test_same_points_as_the_loop(seed: int, tolerance_m: float) -> None:
    pts = _random_walk(seed, 1500)
    fast = rules.douglas_peucker(pts, tolerance_m)
    assert fast == rules.douglas_peucker_loop(pts, tolerance_m)
    assert 2 < len(fast) < len(pts)  # positive control: it did simplify, and kept more than the ends


def test_track_and_degenerate_inputs() -> None:
    t = Track(datetime(2026, 9, 29, 8, tzinfo=ZoneInfo("Asia/Shanghai")), *HQ).stand(60, ignition=False)
    t.drive(600, 40).drive(600, 40, heading_deg=90).stand(60, ignition=True)
    pts = [(f.lon, f.lat) for f in t.fixes]
    assert rules.douglas_peucker(pts, 10) == rules.douglas_peucker_loop(pts, 10)
    assert rules.douglas_peucker(pts[:2], 10) == pts[:2]
    assert rules.douglas_peucker(pts, 0) == pts
    same = [HQ[::-1]] * 10
    assert rules.douglas_peucker(same, 5) == rules.douglas_peucker_loop(same, 5) == [same[0], same[-1]]
