"""HTTP batch ingest: each item becomes a message on the equivalent MQTT topic and runs through the same
pipeline steps (decode, resolve, validate, commit with the COPY writer) as the MQTT consumer."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from houqin_common import clock
from houqin_common.errors import ServiceUnavailable, UnprocessableEntity
from houqin_common.i18n import N_, _
from houqin_common.retry import Backoff
from telemetry_ingest.ingest.metrics import IngestMetrics
from telemetry_ingest.ingest.pipeline import Commit, Decode, LookupRegistry, Message, Pipeline, Resolve, Validate
from telemetry_ingest.ingest.schemas import IngestResult, RejectedItem
from telemetry_ingest.ingest.validation import PREFIX, Limits, Rejected, loads
from telemetry_ingest.ingest.writer import BatchWriter, is_transient

RETRIES = 2
SERIES: dict[str, tuple[str, str, str]] = {
    # body key -> (id key, topic collection, topic leaf)
    "readings": ("meter_id", "meters", "readings"),
    "positions": ("vehicle_id", "vehicles", "positions"),
}


class WriterPool:
    """A few :class:`BatchWriter` connections shared by the requests of one app."""

    def __init__(self, database_url: str, size: int = 2) -> None:
        self.idle: asyncio.Queue[BatchWriter] = asyncio.Queue()
        self.all = [BatchWriter(database_url) for _ in range(size)]
        for writer in self.all:
            self.idle.put_nowait(writer)

    async def close(self) -> None:
        for writer in self.all:
            await writer.close()


def _message(series: str, index: int, item: Any, received_at: Any) -> Message:
    id_key, collection, leaf = SERIES[series]
    label = f"POST /v1/ingest {series}[{index}]"
    payload = json.dumps(item, ensure_ascii=False).encode()
    device_id = item.get(id_key) if isinstance(item, dict) else None
    if not isinstance(device_id, str) or not device_id or any(c in device_id for c in "/+#"):
        m = Message("http", label, payload, received_at, label=label)
        m.rejection = Rejected("unknown_device", N_("{key} must be a registered device id"), key=id_key)
        return m
    return Message("http", f"{PREFIX}/{collection}/{device_id}/{leaf}", payload, received_at, label=label)


async def ingest(
    body: bytes, *, pool: WriterPool, limits: Limits, max_items: int, metrics: IngestMetrics | None = None
) -> IngestResult:
    try:
        data = loads(body)
    except Rejected as exc:
        raise UnprocessableEntity(_("The body is not acceptable JSON: {reason}", reason=exc.render())) from None
    if not isinstance(data, dict) or set(data) - set(SERIES):
        raise UnprocessableEntity(_('The body must be an object {"readings": [...], "positions": [...]}'))
    lists = {series: data.get(series, []) for series in SERIES}
    if not all(isinstance(v, list) for v in lists.values()):
        raise UnprocessableEntity(_("readings and positions must be arrays"))
    if sum(len(v) for v in lists.values()) > max_items:
        raise UnprocessableEntity(_("At most {n} items per request", n=max_items))
    received_at = clock.now()
    batch = [_message(series, i, item, received_at) for series, items in lists.items() for i, item in enumerate(items)]
    writer = await pool.idle.get()
    commit = Commit(writer, metrics)
    registry = LookupRegistry(writer)
    pipeline = Pipeline([Decode(limits), Resolve(registry), Validate(registry, limits), commit])
    backoff = Backoff(0.05, 0.5)
    try:
        while True:
            try:
                await pipeline.process(batch)  # a retry skips what already committed
                break
            except Exception as exc:
                # an idle pooled connection the server has closed fails once; a reconnect is worth a try
                if not is_transient(exc):
                    raise
                if backoff.attempt >= RETRIES:
                    raise ServiceUnavailable(_("The database is unavailable; send the batch again")) from exc
                await asyncio.sleep(backoff.next_delay())
    finally:
        pool.idle.put_nowait(writer)
    rejected: list[RejectedItem] = []
    for m in batch:
        if m.rejection is not None:
            series, _sep, index = (m.label or "").removeprefix("POST /v1/ingest ").partition("[")
            kind: Literal["readings", "positions"] = "readings" if series == "readings" else "positions"
            rejected.append(RejectedItem(series=kind, index=int(index.rstrip("]")), reason=m.rejection.render()))
    result = commit.result
    accepted = len(batch) - len(rejected)
    inserted = result.inserted_readings + result.inserted_positions
    if metrics is not None:
        metrics.messages.labels("http", "stored").inc(accepted)
        metrics.messages.labels("http", "dead_letter").inc(len(rejected))
        for m in batch:
            if m.rejection is not None:
                metrics.dead_letters.labels("http", m.rejection.kind).inc()
    return IngestResult(accepted=accepted, inserted=inserted, duplicates=accepted - inserted, rejected=rejected)
