"""Energy test data written straight into the telemetry tables (no MQTT pipeline involved)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import psycopg
import pytest

from houqin_common.db import libpq_url


class EnergyData:
    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(libpq_url(url), autocommit=True)

    @staticmethod
    def uid(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def meter(self, *, building: str = "A", zone: str | None = None, sub_item: str = "01A10", **kw: Any) -> str:
        meter_id = kw.pop("id", None) or self.uid("m")
        cols = {
            "id": meter_id,
            "name": meter_id,
            "building": building,
            "zone": zone,
            "energy_type": "01000",
            "sub_item": sub_item,
            **kw,
        }
        names = ", ".join(cols)
        marks = ", ".join(["%s"] * len(cols))
        self.conn.execute(f"INSERT INTO telemetry.meter ({names}) VALUES ({marks})", list(cols.values()))
        return meter_id

    def readings(self, meter_id: str, rows: Iterable[tuple[datetime, float]]) -> int:
        n = 0
        with self.conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
            for ts, value in rows:
                cp.write_row((meter_id, ts, value))
                n += 1
        return n

    def calendar(self, *, holidays: list[date] = (), extra: list[date] = ()) -> str:  # type: ignore[assignment]
        cid = self.uid("cal")
        self.conn.execute(
            "INSERT INTO telemetry.calendar (id, name, holidays, extra_workdays) VALUES (%s, %s, %s, %s)",
            (cid, cid, list(holidays), list(extra)),
        )
        return cid


@pytest.fixture
def energy_data(database_url: str) -> Iterator[EnergyData]:
    data = EnergyData(database_url)
    yield data
    data.conn.close()
