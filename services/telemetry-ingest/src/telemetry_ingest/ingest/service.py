"""HTTP batch ingest: the MQTT contract's validation, the same idempotent keys, one request transaction."""

from __future__ import annotations

import json
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common import clock
from telemetry_ingest.ingest.metrics import IngestMetrics
from telemetry_ingest.ingest.schemas import IngestBatch, IngestResult, RejectedItem
from telemetry_ingest.ingest.validation import (
    Limits,
    PositionRow,
    ReadingRow,
    Rejected,
    position_row,
    reading_row,
)
from telemetry_ingest.ingest.writer import POSITIONS_CHANNEL
from telemetry_ingest.models import DeadLetter, Meter, Position, Reading, Vehicle

CHUNK = 1000
_READING_COLS = ("meter_id", "ts", "energy_kwh", "power_kw", "extra", "received_at")
_POSITION_COLS = (
    "vehicle_id",
    "ts",
    "lat",
    "lon",
    "speed_kmh",
    "heading",
    "altitude",
    "ignition",
    "satellites",
    "odometer_km",
    "received_at",
)


async def _registered(session: AsyncSession, model: type[Meter] | type[Vehicle], ids: set[str]) -> set[str]:
    if not ids:
        return set()
    return set((await session.execute(select(model.id).where(model.id.in_(ids)))).scalars())


async def _insert(
    session: AsyncSession, model: type[Reading] | type[Position], cols: tuple[str, ...], rows: list[Any]
) -> int:
    inserted = 0
    for i in range(0, len(rows), CHUNK):
        values = [dict(zip(cols, row, strict=True)) for row in rows[i : i + CHUNK]]
        result = await session.execute(insert(model).values(values).on_conflict_do_nothing())
        inserted += max(getattr(result, "rowcount", 0) or 0, 0)
    return inserted


async def ingest(
    session: AsyncSession, *, batch: IngestBatch, limits: Limits, metrics: IngestMetrics | None = None
) -> IngestResult:
    received_at = clock.now()
    meters = await _registered(session, Meter, {str(r.get("meter_id")) for r in batch.readings})
    vehicles = await _registered(session, Vehicle, {str(p.get("vehicle_id")) for p in batch.positions})
    readings: list[ReadingRow] = []
    positions: list[PositionRow] = []
    rejected: list[RejectedItem] = []
    dead: list[dict[str, Any]] = []
    kinds: list[str] = []

    def reject(series: Literal["readings", "positions"], index: int, item: dict[str, Any], exc: Rejected) -> None:
        rejected.append(RejectedItem(series=series, index=index, reason=exc.reason))
        kinds.append(exc.kind)
        payload = json.dumps(item, default=str, allow_nan=True).encode()
        dead.append(
            {"source": "http", "topic": f"POST /v1/ingest {series}[{index}]", "payload": payload, "reason": exc.reason}
        )

    for index, item in enumerate(batch.readings):
        try:
            meter_id = item.get("meter_id")
            if not isinstance(meter_id, str) or meter_id not in meters:
                raise Rejected("unknown_device", f"meter {str(meter_id)[:64]!r} is not registered")
            readings.append(reading_row(meter_id, item, received_at, limits))
        except Rejected as exc:
            reject("readings", index, item, exc)
    for index, item in enumerate(batch.positions):
        try:
            vehicle_id = item.get("vehicle_id")
            if not isinstance(vehicle_id, str) or vehicle_id not in vehicles:
                raise Rejected("unknown_device", f"vehicle {str(vehicle_id)[:64]!r} is not registered")
            positions.append(position_row(vehicle_id, item, received_at, limits))
        except Rejected as exc:
            reject("positions", index, item, exc)

    inserted = await _insert(session, Reading, _READING_COLS, readings)
    inserted += await _insert(session, Position, _POSITION_COLS, positions)
    if positions:
        await session.execute(text(f"NOTIFY {POSITIONS_CHANNEL}"))
    if dead:
        await session.execute(insert(DeadLetter).values(dead))
    accepted = len(readings) + len(positions)
    if metrics is not None:
        metrics.messages.labels("http", "stored").inc(accepted)
        metrics.messages.labels("http", "dead_letter").inc(len(dead))
        for kind in kinds:
            metrics.dead_letters.labels("http", kind).inc()
    return IngestResult(accepted=accepted, inserted=inserted, duplicates=accepted - inserted, rejected=rejected)
