"""Live stream of positions and alerts as Server-Sent Events.

Each client holds one asyncpg connection that LISTENs to ``houqin_positions`` (NOTIFYed by the ingest
pipeline in the transaction of every committed batch with positions) and ``houqin_alerts`` (NOTIFYed
when alerts are inserted). A notification only says "something new": the stream then reads rows newer
than its cursor. ``received_at`` is the inserting transaction's start time, so a long transaction may
commit rows older than the cursor: the read looks back ``SLACK`` and drops what it already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from houqin_common.db import libpq_url
from telemetry_ingest.analytics.alerts import ALERT_CHANNEL
from telemetry_ingest.fleet.repository import POSITION_CHANNEL

SLACK = timedelta(seconds=30)

POSITIONS_SQL = """
SELECT p.vehicle_id, p.ts, p.lat, p.lon, p.speed_kmh, p.heading, p.ignition, p.received_at
FROM telemetry.position p
WHERE p.received_at > $1
  AND ($2::text IS NULL OR p.vehicle_id IN (SELECT id FROM telemetry.vehicle WHERE vendor_id = $2))
ORDER BY p.received_at, p.ts
LIMIT 5000
"""

ALERTS_SQL = """
SELECT id, kind, severity, subject_type, subject_id, vendor_id, started_at, message
FROM telemetry.alert WHERE id > $1 AND ($2::text IS NULL OR vendor_id = $2) ORDER BY id LIMIT 1000
"""


def _sse(event: str, data: dict[str, Any], event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str, ensure_ascii=False)}\n\n"


async def events(database_url: str, *, vendor_id: str | None, heartbeat_s: float) -> AsyncIterator[str]:
    """SSE frames: ``position`` and ``alert`` events, a comment as heartbeat."""
    conn = await asyncpg.connect(libpq_url(database_url))
    wake = asyncio.Event()

    def on_notify(*_: Any) -> None:
        wake.set()

    try:
        await conn.add_listener(POSITION_CHANNEL, on_notify)
        await conn.add_listener(ALERT_CHANNEL, on_notify)
        cursor: datetime = await conn.fetchval("SELECT now()")
        last_alert: int = await conn.fetchval("SELECT coalesce(max(id), 0) FROM telemetry.alert")
        sent: dict[tuple[str, datetime], datetime] = {
            (r["vehicle_id"], r["ts"]): r["received_at"]
            for r in await conn.fetch(POSITIONS_SQL, cursor - SLACK, vendor_id)
        }
        yield ": listening\n\n"
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=heartbeat_s)
            woke = wake.is_set()
            wake.clear()
            for row in await conn.fetch(POSITIONS_SQL, cursor - SLACK, vendor_id):
                key = (row["vehicle_id"], row["ts"])
                if key in sent:
                    continue
                sent[key] = row["received_at"]
                cursor = max(cursor, row["received_at"])
                yield _sse(
                    "position",
                    {
                        "vehicle_id": row["vehicle_id"],
                        "ts": row["ts"].isoformat(),
                        "lat": row["lat"],
                        "lon": row["lon"],
                        "speed_kmh": row["speed_kmh"],
                        "heading": row["heading"],
                        "ignition": row["ignition"],
                    },
                )
            horizon = cursor - SLACK
            for key in [k for k, at in sent.items() if at < horizon]:
                del sent[key]
            for row in await conn.fetch(ALERTS_SQL, last_alert, vendor_id):
                last_alert = row["id"]
                yield _sse("alert", dict(row), event_id=str(row["id"]))
            if not woke:
                yield ": heartbeat\n\n"
    finally:
        with contextlib.suppress(Exception):
            await conn.close(timeout=2)
