"""The write path: one psycopg 3 transaction per batch, COPY into staging + INSERT ... ON CONFLICT.

Idempotency comes from the ``(device, ts)`` primary keys: a redelivered message inserts nothing.
Dead letters of the batch commit in the same transaction, so acknowledging after the commit can
never lose a rejected message either. ``NOTIFY houqin_positions`` is sent in the transaction of
every batch with positions (PostgreSQL delivers it on commit) for the live-position stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from houqin_common.db import libpq_url
from telemetry_ingest.ingest.validation import AlarmRow, PositionRow, ReadingRow, storable

POSITIONS_CHANNEL = "houqin_positions"

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS stage_reading (LIKE telemetry.reading) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_position (LIKE telemetry.position) ON COMMIT DELETE ROWS;
"""
_READING_COLS = "meter_id, ts, energy_kwh, power_kw, extra, received_at"
_POSITION_COLS = (
    "vehicle_id, ts, lat, lon, speed_kmh, heading, altitude, ignition, satellites, odometer_km, received_at"
)
_READING_TYPES = ["text", "timestamptz", "float8", "float8", "jsonb", "timestamptz"]
_POSITION_TYPES = [
    "text",
    "timestamptz",
    "float8",
    "float8",
    "float8",
    "float8",
    "float8",
    "bool",
    "int4",
    "float8",
    "timestamptz",
]


@dataclass(slots=True)
class DeadLetterRow:
    """A rejected message: the raw bytes as received, and a reason PostgreSQL can always store."""

    source: str
    topic: str | None
    payload: bytes
    reason: str
    """In English (searchable); ``parts`` render it in the reader's language."""
    kind: str = "invalid"
    parts: list[dict[str, Any]] | None = None


@dataclass(slots=True)
class WriteResult:
    readings: int = 0
    positions: int = 0
    dead_letters: int = 0
    inserted_readings: int = 0
    inserted_positions: int = 0
    alarms: int = 0
    inserted_alarms: int = 0

    def add(self, other: WriteResult) -> None:
        self.alarms += other.alarms
        self.inserted_alarms += other.inserted_alarms
        self.readings += other.readings
        self.positions += other.positions
        self.dead_letters += other.dead_letters
        self.inserted_readings += other.inserted_readings
        self.inserted_positions += other.inserted_positions


#: SQLSTATE classes and codes worth retrying: the same write can succeed later. Anything else (data
#: exceptions 22xxx such as 22P05 "unsupported Unicode escape" or 22021 "invalid byte sequence",
#: constraint violations, ...) is a property of the batch: retrying it would stall the pipeline for good.
TRANSIENT_CLASSES = frozenset({"08", "53", "58"})
TRANSIENT_CODES = frozenset({"40001", "40P01", "57P01", "57P02", "57P03", "57014", "55P03", "55006"})


def is_transient(exc: BaseException) -> bool:
    """Whether a failed write should be retried as it is (True) or split to find its guilty messages."""
    if isinstance(exc, OSError):
        return True
    if not isinstance(exc, psycopg.Error):
        return False
    state = exc.sqlstate
    if state is None:
        # no SQLSTATE: the connection broke, or libpq could not connect
        return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
    return state[:2] in TRANSIENT_CLASSES or state in TRANSIENT_CODES


@dataclass
class BatchWriter:
    """Owns one psycopg connection; :meth:`commit` raises ``psycopg.Error`` for the caller to classify."""

    database_url: str
    conn: psycopg.AsyncConnection[tuple[object, ...]] | None = field(default=None, repr=False)

    async def connect(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self.conn is None or self.conn.closed or self.conn.broken:
            await self.close()
            self.conn = await psycopg.AsyncConnection.connect(
                libpq_url(self.database_url), autocommit=False, connect_timeout=5, application_name="houqin-ingest"
            )
            async with self.conn.transaction():
                await self.conn.execute(_STAGING)
        return self.conn

    async def close(self) -> None:
        if self.conn is not None:
            conn, self.conn = self.conn, None
            with contextlib.suppress(psycopg.Error):
                await conn.close()

    async def commit(
        self,
        readings: Sequence[ReadingRow],
        positions: Sequence[PositionRow],
        dead_letters: Sequence[DeadLetterRow],
        *,
        alarms: Sequence[AlarmRow] = (),
    ) -> WriteResult:
        """The final write of a batch, in one transaction: COPY into staging, INSERT ... ON CONFLICT DO
        NOTHING, the dead letters, NOTIFY, commit. Every write of the ingest (MQTT and HTTP) ends here."""
        conn = await self.connect()
        result = WriteResult(len(readings), len(positions), len(dead_letters), alarms=len(alarms))
        try:
            async with conn.transaction(), conn.cursor() as cur:
                if readings:
                    async with cur.copy(f"COPY stage_reading ({_READING_COLS}) FROM STDIN (FORMAT BINARY)") as copy:
                        copy.set_types(_READING_TYPES)
                        for r in readings:
                            await copy.write_row((r[0], r[1], r[2], r[3], None if r[4] is None else Jsonb(r[4]), r[5]))
                    await cur.execute(
                        f"INSERT INTO telemetry.reading ({_READING_COLS}) SELECT {_READING_COLS} FROM stage_reading "
                        "ON CONFLICT DO NOTHING"
                    )
                    result.inserted_readings = max(cur.rowcount, 0)
                if positions:
                    async with cur.copy(f"COPY stage_position ({_POSITION_COLS}) FROM STDIN (FORMAT BINARY)") as copy:
                        copy.set_types(_POSITION_TYPES)
                        for p in positions:
                            await copy.write_row(p)
                    await cur.execute(
                        f"INSERT INTO telemetry.position ({_POSITION_COLS}) SELECT {_POSITION_COLS} "
                        "FROM stage_position ON CONFLICT DO NOTHING"
                    )
                    result.inserted_positions = max(cur.rowcount, 0)
                    await cur.execute(f"NOTIFY {POSITIONS_CHANNEL}")
                if alarms:
                    # issue 26: a handful per message, never a bulk series: plain INSERT, no staging COPY
                    await cur.executemany(
                        "INSERT INTO telemetry.alarm_event (panel_id, zone, ts, event, test, restores, text, "
                        "received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        [
                            (a[0], a[1], a[2], a[3], a[4], a[5], None if a[6] is None else storable(a[6]), a[7])
                            for a in alarms
                        ],
                        returning=False,
                    )
                    result.inserted_alarms = max(cur.rowcount, 0)
                if dead_letters:
                    await cur.executemany(
                        "INSERT INTO telemetry.dead_letter (source, topic, payload, reason, code, reason_parts) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        [
                            (
                                d.source,
                                None if d.topic is None else storable(d.topic),
                                d.payload,
                                storable(d.reason),
                                d.kind,
                                None if d.parts is None else Jsonb(d.parts),
                            )
                            for d in dead_letters
                        ],
                    )
        except psycopg.Error as exc:
            if is_transient(exc) or conn.broken:
                await self.close()
            raise
        return result

    async def device_kinds(self, ids: Sequence[str]) -> dict[str, str]:
        """Which of ``ids`` are registered meters or vehicles."""
        conn = await self.connect()
        try:
            async with conn.transaction(), conn.cursor() as cur:
                await cur.execute(
                    "SELECT id, 'meter' FROM telemetry.meter WHERE id = ANY(%(ids)s) "
                    "UNION ALL SELECT id, 'vehicle' FROM telemetry.vehicle WHERE id = ANY(%(ids)s) "
                    "UNION ALL SELECT id, 'panel' FROM telemetry.alarm_panel WHERE id = ANY(%(ids)s)",
                    {"ids": list(ids)},
                )
                return {str(row[0]): str(row[1]) for row in await cur.fetchall()}
        except psycopg.OperationalError:
            await self.close()
            raise

    async def all_device_kinds(self) -> dict[str, str]:
        conn = await self.connect()
        try:
            async with conn.transaction(), conn.cursor() as cur:
                await cur.execute(
                    "SELECT id, 'meter' FROM telemetry.meter UNION ALL SELECT id, 'vehicle' FROM telemetry.vehicle "
                    "UNION ALL SELECT id, 'panel' FROM telemetry.alarm_panel"
                )
                return {str(row[0]): str(row[1]) for row in await cur.fetchall()}
        except psycopg.OperationalError:
            await self.close()
            raise


class WriterPool:
    """The :class:`BatchWriter` connections of one process (the consumer's concurrent batches, or the
    requests of one app): :meth:`acquire` waits for an idle one, :meth:`release` gives it back."""

    def __init__(self, database_url: str, size: int = 2) -> None:
        self.idle: asyncio.Queue[BatchWriter] = asyncio.Queue()
        self.all = [BatchWriter(database_url) for _ in range(size)]
        for writer in self.all:
            self.idle.put_nowait(writer)

    async def acquire(self) -> BatchWriter:
        return await self.idle.get()

    def release(self, writer: BatchWriter) -> None:
        self.idle.put_nowait(writer)

    async def close(self) -> None:
        for writer in self.all:
            await writer.close()
