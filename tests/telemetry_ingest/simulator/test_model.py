import random
from datetime import datetime, timedelta

from telemetry_ingest.devices.rules import plate_kind
from telemetry_ingest.simulator.model import CST, HQ, distance_m, load_factor, make_fleet, position, step_vehicle

MONDAY_NOON = datetime(2026, 7, 6, 12, 0, tzinfo=CST)


def test_load_profiles_day_night_weekend_and_hvac_season() -> None:
    assert load_factor(MONDAY_NOON, "01A10") > 3 * load_factor(MONDAY_NOON.replace(hour=2), "01A10")
    assert load_factor(MONDAY_NOON, "01A10") > load_factor(MONDAY_NOON + timedelta(days=5), "01A10")  # Saturday
    april = MONDAY_NOON.replace(month=4, day=6)
    assert load_factor(MONDAY_NOON, "01B10") > 2 * load_factor(april, "01B10")


def test_fleet_has_valid_plates_and_stays_around_the_administrative_center() -> None:
    meters, vehicles = make_fleet(250, 400, MONDAY_NOON)
    assert len({v.plate for v in vehicles}) == 250
    assert all(plate_kind(v.plate) for v in vehicles)
    assert len({m.id for m in meters}) == 400
    rng = random.Random(1)
    t = MONDAY_NOON.replace(hour=8)
    moved = set()
    for _ in range(8 * 60 * 2):  # a working day in 30 s steps
        t += timedelta(seconds=30)
        for v in vehicles[:50]:
            step_vehicle(v, t, timedelta(seconds=30), rng)
            if v.moving:
                moved.add(v.id)
            assert distance_m(HQ, (v.lat, v.lon)) < 12_000
    assert len(moved) > 10
    fix = position(vehicles[0], t, rng)
    assert -90 <= fix["lat"] <= 90 and fix["odometer_km"] > 0
