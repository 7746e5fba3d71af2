"""A synthetic pair of years with a known 12 % cut: year-on-year and baseline savings recover it."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin_common.auth import Role
from oracles.energy_synthetic import register
from support import auth
from telemetry_ingest.energy.degree_days import degree_days

TZ = ZoneInfo("Asia/Shanghai")
Y1, Y2 = 2022, 2023  # neither is a leap year: both have 365 days
CUT = 0.12


def climate(day: date, shift_c: float) -> float:
    """Daily mean temperature of a Changzhou-like year: about 3 °C in January, 29 °C in July."""
    return 16.0 - 13.0 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365) + shift_c


def daily_kwh(temp_c: float) -> float:
    hdd, cdd = degree_days(temp_c, heating_base_c=18.0, cooling_base_c=26.0)
    return 2400.0 + 60.0 * hdd + 90.0 * cdd


def build(
    energy_data: Any, second_year_shift_c: float, building: str | None = None
) -> tuple[str, str, dict[date, float]]:
    """A meter whose second year uses 12 % less than the baseline model predicts for its weather."""
    rng = random.Random(42)
    temps: dict[date, float] = {}
    kwh: dict[date, float] = {}
    day = date(Y1, 1, 1)
    while day < date(Y2 + 1, 1, 1):
        temps[day] = climate(day, second_year_shift_c if day.year == Y2 else 0.0)
        factor = 1 - CUT if day.year == Y2 else 1.0
        kwh[day] = daily_kwh(temps[day]) * factor * (1 + 0.03 * (2 * rng.random() - 1))
        day += timedelta(days=1)
    meter = energy_data.meter(building=building or energy_data.uid("hq"), rollover=1_000_000)
    energy_data.readings(
        meter,
        register(
            datetime(Y1, 1, 1, tzinfo=TZ),
            datetime(Y2 + 1, 1, 1, tzinfo=TZ),
            timedelta(hours=1),
            lambda ts: kwh.get(ts.astimezone(TZ).date(), 0.0) / 24,
            initial=123_456.0,
            rollover=1_000_000,
        ),
    )
    return meter, energy_data.uid("station"), temps


async def _upload(client: Any, headers: dict[str, str], station: str, temps: dict[date, float]) -> None:
    samples = [
        {"ts": datetime(d.year, d.month, d.day, 12, tzinfo=TZ).isoformat(), "temp_c": t} for d, t in temps.items()
    ]
    r = await client.post("/v1/energy/temperatures", json={"station": station, "samples": samples}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == len(samples)


def _savings_params(meter: str, station: str, normalise: bool) -> dict[str, Any]:
    return {
        "meter_id": meter,
        "baseline_start": f"{Y1}-01-01",
        "baseline_end": f"{Y2}-01-01",
        "start": f"{Y2}-01-01",
        "end": f"{Y2 + 1}-01-01",
        "normalise": str(normalise).lower(),
        "station": station,
    }


async def test_same_weather_cut_recovered_with_and_without_normalisation(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    meter, station, temps = build(energy_data, second_year_shift_c=0.0)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    await _upload(client, headers, station, temps)
    yoy = await client.get(
        "/v1/energy/year-on-year",
        params={
            "meter_id": meter,
            "start": datetime(Y2, 1, 1, tzinfo=TZ).isoformat(),
            "end": datetime(Y2 + 1, 1, 1, tzinfo=TZ).isoformat(),
        },
        headers=headers,
    )
    assert yoy.status_code == 200, yoy.text
    assert yoy.json()["saving_ratio"] == pytest.approx(CUT, abs=0.005)
    # one meter that reported every day of both years: the like-for-like figure is the total's, scope stated
    assert yoy.json()["compared_saving_ratio"] == pytest.approx(yoy.json()["saving_ratio"], abs=1e-6)
    assert yoy.json()["scope"]["meter_days_compared"] == 365 and yoy.json()["scope"]["compared_share"] == 1.0
    for normalise in (False, True):
        r = await client.get("/v1/energy/savings", params=_savings_params(meter, station, normalise), headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["saving_ratio"] == pytest.approx(CUT, abs=0.005)
        assert r.json()["days_used"] == 365


async def test_colder_year_needs_degree_day_normalisation(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    meter, station, temps = build(energy_data, second_year_shift_c=-4.0)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    await _upload(client, headers, station, temps)
    raw = await client.get("/v1/energy/savings", params=_savings_params(meter, station, False), headers=headers)
    norm = await client.get("/v1/energy/savings", params=_savings_params(meter, station, True), headers=headers)
    assert raw.status_code == norm.status_code == 200, (raw.text, norm.text)
    # the colder year hides part of the saving in raw figures ...
    assert abs(raw.json()["saving_ratio"] - CUT) > 0.02
    # ... the regression on HDD/CDD recovers it and the model coefficients
    body = norm.json()
    assert body["saving_ratio"] == pytest.approx(CUT, abs=0.005)
    assert body["kwh_per_hdd"] == pytest.approx(60.0, rel=0.1)
    assert body["kwh_per_cdd"] == pytest.approx(90.0, rel=0.1)
    assert body["r2"] > 0.9


async def test_normalisation_without_temperatures_is_a_problem(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    start = datetime(2025, 1, 1, tzinfo=TZ)
    meter = energy_data.meter()
    energy_data.readings(meter, register(start, start + timedelta(days=40), timedelta(hours=1), lambda _: 10.0))
    client = await service_client("telemetry")
    r = await client.get(
        "/v1/energy/savings",
        params={
            "meter_id": meter,
            "baseline_start": "2025-01-01",
            "baseline_end": "2025-01-21",
            "start": "2025-01-21",
            "end": "2025-02-05",
            "normalise": "true",
            "station": "nowhere",
        },
        headers=auth(make_token(Role.supervisor)),
    )
    assert r.status_code == 422
    assert "temperature" in r.json()["detail"]


async def test_temperature_upload_with_a_repeated_instant_keeps_the_last(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    client = await service_client("telemetry")
    station = energy_data.uid("station")
    ts = datetime(2025, 1, 1, 12, tzinfo=TZ).isoformat()
    r = await client.post(
        "/v1/energy/temperatures",
        json={"station": station, "samples": [{"ts": ts, "temp_c": 1.0}, {"ts": ts, "temp_c": 3.5}]},
        headers=auth(make_token(Role.supervisor)),
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"station": station, "stored": 1}
    rows = energy_data.conn.execute("SELECT temp_c FROM telemetry.temperature WHERE station = %s", (station,))
    assert [row[0] for row in rows.fetchall()] == [3.5]


async def test_savings_leave_out_a_meter_added_in_the_reporting_period_and_name_it(
    service_client: Callable[..., Any], make_token: Callable[..., str], energy_data: Any
) -> None:
    building = energy_data.uid("hq")
    meter, station, _temps = build(energy_data, second_year_shift_c=0.0, building=building)
    annex = energy_data.meter(building=building)  # a new annex, commissioned with the reporting year
    energy_data.readings(
        annex,
        register(datetime(Y2, 1, 1, tzinfo=TZ), datetime(Y2 + 1, 1, 1, tzinfo=TZ), timedelta(hours=1), lambda _: 500.0),
    )
    client = await service_client("telemetry")
    params = {k: v for k, v in _savings_params(meter, station, False).items() if k != "meter_id"}
    headers = auth(make_token(Role.supervisor))
    r = await client.get("/v1/energy/savings", params={**params, "building": building}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meters"] == [meter] and body["meters_left_out"] == [annex]
    # the annex's 4 380 MWh would turn the 12 % saving into a rise; like for like it is the meter's own 12 %
    assert body["saving_ratio"] == pytest.approx(CUT, abs=0.005)
