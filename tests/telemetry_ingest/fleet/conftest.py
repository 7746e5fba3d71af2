"""Fleet test data written straight into the telemetry tables (no MQTT pipeline involved)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import psycopg
import pytest

from houqin_common.db import libpq_url
from telemetry_ingest.fleet.rules import Fix

HQ = (31.81, 119.97)


class FleetData:
    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = psycopg.connect(libpq_url(url), autocommit=True)

    @staticmethod
    def uid(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def vehicle(
        self,
        *,
        vendor_id: str | None = None,
        department: str | None = "general office",
        holidays: Iterable[date] = (),
        fence_radius_m: float | None = 300.0,
        speed_limit_kmh: float | None = 60.0,
    ) -> str:
        vid = self.uid("veh")
        cal = self.uid("cal")
        self.conn.execute(
            "INSERT INTO telemetry.calendar (id, name, holidays) VALUES (%s, %s, %s)", (cal, cal, list(holidays))
        )
        fence = None
        if fence_radius_m is not None:
            fence = self.uid("fence")
            self.conn.execute(
                "INSERT INTO telemetry.geofence (id, name, kind, center_lat, center_lon, radius_m)"
                " VALUES (%s, %s, 'circle', %s, %s, %s)",
                (fence, "HQ parking", HQ[0], HQ[1], fence_radius_m),
            )
        self.conn.execute(
            "INSERT INTO telemetry.vehicle (id, plate, department, vendor_id, parking_geofence_id, calendar_id,"
            " speed_limit_kmh) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (vid, "苏D" + uuid.uuid4().hex[:6].upper(), department, vendor_id, fence, cal, speed_limit_kmh),
        )
        return vid

    def positions(self, vehicle_id: str, fixes: Iterable[Fix]) -> int:
        n = 0
        cols = "vehicle_id, ts, lat, lon, speed_kmh, ignition"
        with self.conn.cursor() as cur, cur.copy(f"COPY telemetry.position ({cols}) FROM STDIN") as cp:
            for f in fixes:
                cp.write_row((vehicle_id, f.ts, f.lat, f.lon, f.speed_kmh, f.ignition))
                n += 1
        return n

    def fetch(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()


@pytest.fixture
def fleet_data(database_url: str) -> Iterator[FleetData]:
    data = FleetData(database_url)
    yield data
    data.conn.close()
