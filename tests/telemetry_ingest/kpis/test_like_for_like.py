"""The energy KPI compares like for like in kgce: a meter fleet that grows mid-period against a hand computation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from houqin_common.auth import Role
from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from support import auth

TZ = ZoneInfo("Asia/Shanghai")
KGCE_KWH, KGCE_GAS = 0.1229, 1.2143  # GB/T 2589-2020, the settings' defaults
H2_HOURS = 184 * 24


def _meter(
    conn: psycopg.Connection, vendor: str, code: str, unit: str, loads: list[tuple[datetime, datetime, float]]
) -> str:
    meter = f"lfl-{uuid.uuid4().hex[:8]}"
    conn.execute(
        "INSERT INTO telemetry.meter (id, name, building, energy_type, unit, vendor_id)"
        " VALUES (%s, %s, 'LFL tower', %s, %s, %s)",
        (meter, meter, code, unit, vendor),
    )
    with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
        for start, end, rate in loads:
            for ts, value in register(start, end, timedelta(hours=1), lambda _, r=rate: r):
                cp.write_row((meter, ts, value))
    return meter


def _h2(year: int, rate: float, first_month: int = 7) -> tuple[datetime, datetime, float]:
    return datetime(year, first_month, 1, tzinfo=TZ), datetime(year + 1, 1, 1, tzinfo=TZ), rate


async def _kpi(client: Any, headers: dict[str, str], vendor: str) -> dict[str, Any]:
    r = await client.get("/v1/kpis/energy", params={"vendor_id": vendor, "period": "2025H2"}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_meter_added_mid_period_is_not_compared_and_carriers_are_summed_in_kgce(
    service_client: Callable[..., Any], make_token: Callable[..., str], database_url: str
) -> None:
    vendor = f"lfl-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        _meter(conn, vendor, "01000", "kWh", [_h2(2024, 10.0), _h2(2025, 8.8)])
        _meter(conn, vendor, "01000", "kWh", [_h2(2024, 5.0), _h2(2025, 4.5)])
        _meter(conn, vendor, "03000", "m³", [_h2(2024, 2.0), _h2(2025, 1.8)])
        _meter(conn, vendor, "02000", "m³", [_h2(2024, 1.0), _h2(2025, 3.0)])  # water: apart, never in kgce
        _meter(conn, vendor, "01000", "kWh", [_h2(2025, 20.0, first_month=10)])  # a new building's meter in October
    client = await service_client("telemetry")
    kpi = await _kpi(client, auth(make_token(Role.supervisor)), vendor)

    # by hand: only the four meters that reported on the same days of 2024H2 are compared
    current = H2_HOURS * ((8.8 + 4.5) * KGCE_KWH + 1.8 * KGCE_GAS)
    previous = H2_HOURS * ((10.0 + 5.0) * KGCE_KWH + 2.0 * KGCE_GAS)
    assert kpi["consumption_kgce"] == pytest.approx(current, rel=1e-9)
    assert kpi["previous_kgce"] == pytest.approx(previous, rel=1e-9)
    assert kpi["saving_ratio"] == pytest.approx(1 - current / previous, abs=1e-9)
    assert 0.10 < kpi["saving_ratio"] < 0.12 and kpi["not_scored"] is None
    # the naive totals (every meter, kWh plus m³) would show consumption rising
    naive_now = H2_HOURS * (8.8 + 4.5 + 1.8 + 3.0) + 92 * 24 * 20.0
    assert naive_now > H2_HOURS * (10 + 5 + 2 + 1)
    assert kpi["scope"] == {
        "meters": 5,
        "meters_current": 5,
        "meter_days_current": 4 * 184 + 92,
        "meters_previous": 4,
        "meter_days_previous": 4 * 184,
        "meters_compared": 4,
        "meter_days_compared": 4 * 184,
        "compared_share": pytest.approx(3 * 184 / (3 * 184 + 92)),
    }
    carriers = {c["energy_type"]: c for c in kpi["carriers"]}
    assert carriers["02000"]["kgce_per_unit"] is None and carriers["02000"]["unit"] == "m³"
    assert carriers["02000"]["saving_ratio"] == pytest.approx(-2.0)
    assert carriers["01000"]["quantity"] == pytest.approx(H2_HOURS * 13.3 + 92 * 24 * 20.0)
    assert carriers["01000"]["compared_quantity"] == pytest.approx(H2_HOURS * 13.3)
    assert kpi["consumption_kwh"] == pytest.approx(carriers["01000"]["quantity"])


async def test_low_coverage_and_no_comparable_meters_do_not_score(
    service_client: Callable[..., Any], make_token: Callable[..., str], database_url: str
) -> None:
    low, none = f"lfl-low-{uuid.uuid4().hex[:6]}", f"lfl-new-{uuid.uuid4().hex[:6]}"
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        _meter(conn, low, "01000", "kWh", [_h2(2024, 10.0), _h2(2025, 8.8)])
        for _ in range(2):  # two of three meters are new in 2025: a third of the meter-days compared
            _meter(conn, low, "01000", "kWh", [_h2(2025, 10.0)])
        _meter(conn, none, "01000", "kWh", [_h2(2025, 10.0)])
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    kpi = await _kpi(client, headers, low)
    assert kpi["saving_ratio"] is None and kpi["not_scored"] == "low_coverage"
    assert kpi["scope"]["compared_share"] == pytest.approx(1 / 3)
    assert "33.3%" in kpi["not_scored_reason"]
    assert kpi["consumption_kgce"] == pytest.approx(H2_HOURS * 8.8 * KGCE_KWH)  # the figure is still stated
    zh = await client.get(
        "/v1/kpis/energy",
        params={"vendor_id": low, "period": "2025H2"},
        headers={**headers, "Accept-Language": "zh-CN"},
    )
    assert zh.json()["not_scored_reason"] != kpi["not_scored_reason"] and "同" in zh.json()["not_scored_reason"]
    new = await _kpi(client, headers, none)
    assert new["saving_ratio"] is None and new["not_scored"] == "no_comparable_meters"
    assert new["scope"]["meters_compared"] == 0 and new["scope"]["meter_days_current"] == 184
