"""The KPI endpoints answer the appraisal service's typed TelemetryClient over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from houqin_common.auth import Role
from houqin_common.clients import AuthError, NotFoundError, TelemetryClient
from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from support import LiveServices
from telemetry_ingest.fleet.synthetic import Track

TZ = ZoneInfo("Asia/Shanghai")
HQ = (31.81, 119.97)


def _round_trip(start: datetime) -> Track:
    t = Track(start, *HQ).stand(120, ignition=False).drive(450, 40)
    return t.stand(60, ignition=True).drive(450, 40, heading_deg=270).stand(600, ignition=False)


def _seed(database_url: str, vendor: str) -> tuple[list[str], datetime]:
    """Two meters with 12 % less in March 2026 than in March 2025; two vehicles, one trip each."""
    day = datetime(2026, 3, 10, tzinfo=TZ)  # Tuesday
    vehicles = [f"kv-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        for n in range(2):
            meter = f"km-{uuid.uuid4().hex[:8]}"
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type, vendor_id)"
                " VALUES (%s, %s, 'KPI tower', '01000', %s)",
                (meter, meter, vendor),
            )
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for year, kw in ((2025, 10.0 + n), (2026, (10.0 + n) * 0.88)):
                    start = datetime(year, 3, 1, tzinfo=TZ)
                    for ts, value in register(
                        start, datetime(year, 4, 1, tzinfo=TZ), timedelta(minutes=15), lambda _, kw=kw: kw
                    ):
                        cp.write_row((meter, ts, value))
        for vid, hour in zip(vehicles, (10, 22), strict=True):
            conn.execute(
                "INSERT INTO telemetry.vehicle (id, plate, department, vendor_id) VALUES (%s, %s, 'motor pool', %s)",
                (vid, "苏D" + uuid.uuid4().hex[:6], vendor),
            )
            with (
                conn.cursor() as cur,
                cur.copy("COPY telemetry.position (vehicle_id, ts, lat, lon, speed_kmh, ignition) FROM STDIN") as cp,
            ):
                for f in _round_trip(day.replace(hour=hour)).fixes:
                    cp.write_row((vid, f.ts, f.lat, f.lon, f.speed_kmh, f.ignition))
        # the morning trip was requested and approved
        conn.execute(
            "INSERT INTO telemetry.trip_request (id, requester, vehicle_id, purpose, origin, destination,"
            " window_start, window_end, status) VALUES (%s, 'clerk', %s, 'meeting', 'HQ', 'district', %s, %s,"
            " 'approved')",
            (str(uuid.uuid4()), vehicles[0], day.replace(hour=9, minute=30), day.replace(hour=12)),
        )
    return vehicles, day


async def test_energy_and_vehicle_kpis_through_the_typed_client(
    live_services: LiveServices, make_token: Callable[..., str], database_url: str
) -> None:
    vendor = f"kpi-vendor-{uuid.uuid4().hex[:8]}"
    _vehicles, day = _seed(database_url, vendor)
    url = live_services.start("telemetry")
    async with TelemetryClient(url, token=make_token(Role.service)) as client:
        evaluated = await client.request(
            "POST",
            "/v1/fleet/evaluate",
            params={"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat(), "vendor_id": vendor},
        )
        assert evaluated.json()["trips"] >= 2

        energy = await client.energy_kpi(vendor, "2026-03")
        assert energy.meters == 2
        assert energy.consumption_kwh == pytest.approx(0.88 * (10 + 11) * 24 * 31, rel=1e-6)
        assert energy.saving_ratio == pytest.approx(0.12, abs=1e-6)
        assert energy.coverage == pytest.approx(1.0)

        [kpi] = await client.vehicle_kpi("2026-03", vendor_id=vendor)
        assert kpi.vendor_id == vendor and kpi.vehicles == 2 and kpi.trips == 2
        assert kpi.distance_km == pytest.approx(20.0, rel=0.02)
        # night trip: off hours + unrequested use; the approved morning trip is clean
        assert kpi.violations == 2
        assert kpi.compliance_ratio == pytest.approx(0.5)

        # once the evaluator has covered the whole month, distance comes from its daily rollup: same answer
        await client.request(
            "POST",
            "/v1/fleet/evaluate",
            params={
                "start": datetime(2026, 3, 1, tzinfo=TZ).isoformat(),
                "end": datetime(2026, 4, 1, tzinfo=TZ).isoformat(),
                "vendor_id": vendor,
            },
        )
        [rolled] = await client.vehicle_kpi("2026-03", vendor_id=vendor)
        assert rolled.distance_km == pytest.approx(kpi.distance_km, rel=1e-9)
        assert (rolled.trips, rolled.violations) == (kpi.trips, kpi.violations)

        empty = await client.energy_kpi(f"no-meters-{uuid.uuid4().hex[:6]}", "2026H1")
        assert empty.meters == 0 and empty.consumption_kwh == 0

    async with TelemetryClient(url, token=make_token(Role.vendor, vendor_id="someone-else")) as client:
        with pytest.raises(NotFoundError):
            await client.energy_kpi(vendor, "2026-03")
    async with TelemetryClient(url, token=make_token(Role.staff)) as client:
        with pytest.raises(AuthError):
            await client.vehicle_kpi("2026-03")
