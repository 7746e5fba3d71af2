"""Pure simulation of the Administrative Center's meters and official vehicles (no I/O, seeded).

Meters follow day / night / weekend profiles with an HVAC season (cooling June-September,
heating December-February); vehicles are parked at the Administrative Center (31.81 N, 119.97 E),
leave on trips during working hours (a few also off hours, which the analytics should flag) along
a street grid (north-south then east-west legs), and report a fix every 30 s while moving and a
heartbeat every 10 min while parked.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from houqin_common.demo import DEPARTMENTS, vendor_for_project

CST = timezone(timedelta(hours=8))
HQ = (31.8100, 119.9740)
BUILDINGS = ("A", "B", "C", "D", "E", "F")
SUB_ITEMS = ("01A10", "01A20", "01A30", "01B10", "01B20", "01C10", "01C20", "01C30", "01D10", "01D20")
METERS_PER_DEG_LAT = 111_320.0
READING_EVERY = timedelta(minutes=15)
MOVING_EVERY = timedelta(seconds=30)
PARKED_EVERY = timedelta(minutes=10)


def _days(first: date, last: date) -> frozenset[date]:
    return frozenset(first + timedelta(days=i) for i in range((last - first).days + 1))


#: demo sealed holidays (封存日) of the State Council's 2025 and 2026 calendars; swapped working days are left out
HOLIDAYS: frozenset[date] = (
    _days(date(2024, 1, 1), date(2024, 1, 1))  # 2024: the history starts here (the seed's older years)
    | _days(date(2024, 2, 10), date(2024, 2, 17))
    | _days(date(2024, 4, 4), date(2024, 4, 6))
    | _days(date(2024, 5, 1), date(2024, 5, 5))
    | _days(date(2024, 6, 8), date(2024, 6, 10))
    | _days(date(2024, 9, 15), date(2024, 9, 17))
    | _days(date(2024, 10, 1), date(2024, 10, 7))
    | _days(date(2025, 1, 1), date(2025, 1, 1))
    | _days(date(2025, 1, 28), date(2025, 2, 4))
    | _days(date(2025, 4, 4), date(2025, 4, 6))
    | _days(date(2025, 5, 1), date(2025, 5, 5))
    | _days(date(2025, 5, 31), date(2025, 6, 2))
    | _days(date(2025, 10, 1), date(2025, 10, 8))
    | _days(date(2026, 1, 1), date(2026, 1, 3))
    | _days(date(2026, 2, 15), date(2026, 2, 23))
    | _days(date(2026, 4, 4), date(2026, 4, 6))
    | _days(date(2026, 5, 1), date(2026, 5, 5))
    | _days(date(2026, 6, 19), date(2026, 6, 21))
    | _days(date(2026, 9, 25), date(2026, 9, 27))
    | _days(date(2026, 10, 1), date(2026, 10, 7))
)


def is_working_day(t: datetime, holidays: frozenset[date] = HOLIDAYS) -> bool:
    local = t.astimezone(CST)
    return local.isoweekday() <= 5 and local.date() not in holidays


def load_factor(t: datetime, sub_item: str) -> float:
    """Share of a meter's peak load at local time ``t``."""
    local = t.astimezone(CST)
    hour = local.hour + local.minute / 60
    working = is_working_day(t)
    if working and 8 <= hour < 18:
        factor = 1.0
    elif working and (7 <= hour < 8 or 18 <= hour < 20):
        factor = 0.6
    else:
        factor = 0.25 if working else 0.2  # base load: nights and weekends
    if sub_item.startswith("01B"):
        season = 1.8 if local.month in (6, 7, 8, 9) else 1.5 if local.month in (12, 1, 2) else 0.6
        factor *= season if factor >= 0.6 else 1.0
    if sub_item == "01A30":  # outdoor lighting runs at night
        factor = 1.0 if hour >= 18 or hour < 6 else 0.05
    if sub_item == "01D10":  # data center: flat
        factor = 0.95
    return factor


@dataclass
class SimMeter:
    id: str
    building: str
    floor: str
    sub_item: str
    peak_kw: float
    energy_kwh: float
    next_at: datetime
    vendor_id: str | None

    def reading(self, t: datetime, rng: random.Random) -> dict[str, float | int]:
        power = max(0.0, self.peak_kw * load_factor(t, self.sub_item) * rng.uniform(0.9, 1.1))
        self.energy_kwh += power * READING_EVERY.total_seconds() / 3600
        self.next_at = t + READING_EVERY
        return {"ts": int(t.timestamp() * 1000), "energy_kwh": round(self.energy_kwh, 3), "power_kw": round(power, 3)}


@dataclass
class SimVehicle:
    id: str
    plate: str
    department: str
    lat: float
    lon: float
    odometer_km: float
    next_at: datetime
    vendor_id: str | None = None
    route: list[tuple[float, float]] = field(default_factory=list)
    speed_kmh: float = 0.0
    heading: float = 0.0
    dwell_until: datetime | None = None

    @property
    def moving(self) -> bool:
        return bool(self.route)


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (
        lat + north_m / METERS_PER_DEG_LAT,
        lon + east_m / (METERS_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dn = (b[0] - a[0]) * METERS_PER_DEG_LAT
    de = (b[1] - a[1]) * METERS_PER_DEG_LAT * math.cos(math.radians(a[0]))
    return math.hypot(dn, de)


def street_route(start: tuple[float, float], rng: random.Random) -> list[tuple[float, float]]:
    """Out along a street grid to a destination 1-9 km away, and back to the Administrative Center."""
    north = rng.uniform(-6000, 6000)
    east = rng.uniform(-6000, 6000)
    corner = _offset(start[0], start[1], north, 0)
    destination = _offset(start[0], start[1], north, east)
    back_corner = _offset(start[0], start[1], 0, east)
    return [corner, destination, back_corner, HQ]


def trip_probability(t: datetime) -> float:
    """Chance per simulated minute that a parked vehicle leaves."""
    local = t.astimezone(CST)
    hour = local.hour + local.minute / 60
    if is_working_day(t) and 8 <= hour < 17.5:
        return 0.004
    return 0.00008  # the rare off-hours trip


def step_vehicle(v: SimVehicle, t: datetime, dt: timedelta, rng: random.Random) -> None:
    """Advance ``v`` by ``dt`` of simulated time."""
    if v.dwell_until is not None and t < v.dwell_until:
        return
    v.dwell_until = None
    if not v.route:
        if rng.random() < 1 - (1 - trip_probability(t)) ** (dt.total_seconds() / 60):
            v.route = street_route((v.lat, v.lon), rng)
        else:
            v.speed_kmh = 0.0
            return
    v.speed_kmh = max(5.0, min(70.0, rng.gauss(38, 10)))
    remaining = v.speed_kmh / 3.6 * dt.total_seconds()
    while remaining > 0 and v.route:
        target = v.route[0]
        gap = distance_m((v.lat, v.lon), target)
        dn = (target[0] - v.lat) * METERS_PER_DEG_LAT
        de = (target[1] - v.lon) * METERS_PER_DEG_LAT * math.cos(math.radians(v.lat))
        if gap > 0:
            v.heading = (math.degrees(math.atan2(de, dn)) + 360) % 360
        if gap <= remaining:
            v.lat, v.lon = target
            v.route.pop(0)
            remaining -= gap
            v.odometer_km += gap / 1000
            if len(v.route) == 2:  # at the destination: a meeting
                v.dwell_until = t + timedelta(minutes=rng.uniform(20, 120))
                v.speed_kmh = 0.0
                return
        else:
            frac = remaining / gap
            v.lat += (target[0] - v.lat) * frac
            v.lon += (target[1] - v.lon) * frac
            v.odometer_km += remaining / 1000
            remaining = 0
    if not v.route:
        v.speed_kmh = 0.0


def position(v: SimVehicle, t: datetime, rng: random.Random) -> dict[str, float | int | bool]:
    v.next_at = t + (MOVING_EVERY if v.moving and v.dwell_until is None else PARKED_EVERY)
    return {
        "ts": int(t.timestamp() * 1000),
        "lat": round(v.lat + rng.gauss(0, 0.00002), 6),
        "lon": round(v.lon + rng.gauss(0, 0.00002), 6),
        "speed_kmh": round(v.speed_kmh, 1),
        "heading": round(v.heading, 1),
        "altitude": round(rng.uniform(4, 8), 1),
        "ignition": v.moving,
        "satellites": rng.randint(8, 20),
        "odometer_km": round(v.odometer_km, 2),
    }


def make_fleet(vehicles: int, meters: int, start: datetime, seed: int = 7) -> tuple[list[SimMeter], list[SimVehicle]]:
    rng = random.Random(seed)
    maintenance = vendor_for_project("maintenance").id
    smart = vendor_for_project("smart_building").id
    sim_meters = []
    for i in range(meters):
        building = BUILDINGS[i % len(BUILDINGS)]
        sub_item = SUB_ITEMS[i % len(SUB_ITEMS)]
        sim_meters.append(
            SimMeter(
                id=f"M-{building}-{i + 1:04d}",
                building=building,
                floor=str(1 + (i // len(BUILDINGS)) % 20),
                sub_item=sub_item,
                peak_kw=rng.uniform(40, 300) if sub_item.startswith("01B") else rng.uniform(3, 40),
                energy_kwh=rng.uniform(10_000, 900_000),
                next_at=start + timedelta(seconds=rng.uniform(0, READING_EVERY.total_seconds())),
                vendor_id=maintenance if sub_item[:3] in ("01B", "01C") else smart,
            )
        )
    sim_vehicles = []
    for i in range(vehicles):
        lat, lon = _offset(*HQ, rng.uniform(-120, 120), rng.uniform(-120, 120))
        plate = f"苏D{'D' if i % 5 == 0 else ''}{10000 + i * 37 % 90000:05d}"
        sim_vehicles.append(
            SimVehicle(
                id=f"V-{i + 1:03d}",
                plate=plate,
                department=DEPARTMENTS[i % len(DEPARTMENTS)],
                lat=lat,
                lon=lon,
                odometer_km=rng.uniform(5_000, 180_000),
                next_at=start + timedelta(seconds=rng.uniform(0, PARKED_EVERY.total_seconds())),
                vendor_id=smart,  # the smart-building systems vendor operates the vehicle platform
            )
        )
    return sim_meters, sim_vehicles
