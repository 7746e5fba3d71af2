"""HTTP batch ingest: each parsed item of the body becomes a message (already decoded) and runs through the
step chain the MQTT consumer uses (:func:`build_pipeline`: resolve, validate, commit with the COPY writer)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from houqin_common import clock
from houqin_common.errors import ServiceUnavailable, UnprocessableEntity
from houqin_common.i18n import N_, _
from houqin_common.retry import Backoff
from telemetry_ingest.ingest.metrics import IngestMetrics
from telemetry_ingest.ingest.pipeline import LookupRegistry, Message, build_pipeline
from telemetry_ingest.ingest.schemas import IngestResult, RejectedItem
from telemetry_ingest.ingest.validation import DeviceKind, Item, Limits, Rejected, loads
from telemetry_ingest.ingest.writer import WriterPool, is_transient

__all__ = ["WriterPool", "ingest"]

RETRIES = 2
SERIES: dict[str, tuple[str, DeviceKind]] = {
    # body key -> (id key, device kind)
    "readings": ("meter_id", "meter"),
    "positions": ("vehicle_id", "vehicle"),
}


def _message(series: str, index: int, item: Any, received_at: Any, limits: Limits, measure: bool) -> Message:
    """The item as a decoded message: no topic, no bytes (its JSON is written only for a dead letter).

    ``measure``: the body is larger than one item may be, so each item's size is checked (as its JSON).
    """
    id_key, kind = SERIES[series]
    label = f"POST /v1/ingest {series}[{index}]"
    m = Message("http", label, b"", received_at, label=label, parsed=item)
    if measure:
        payload = json.dumps(item, ensure_ascii=False).encode()
        if len(payload) > limits.max_payload_bytes:
            m.payload = payload[: limits.max_payload_bytes]  # a dead letter is not a storage bypass
            m.rejection = Rejected(
                "oversize",
                N_("payload of {size} bytes exceeds {limit}"),
                size=len(payload),
                limit=limits.max_payload_bytes,
            )
            return m
    device_id = item.get(id_key) if isinstance(item, dict) else None
    if not isinstance(device_id, str) or not device_id or any(c in device_id for c in "/+#"):
        m.rejection = Rejected("unknown_device", N_("{key} must be a registered device id"), key=id_key)
        return m
    m.items = [Item(kind, device_id, item)]
    return m


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
    measure = len(body) > limits.max_payload_bytes
    batch = [
        _message(series, i, item, received_at, limits, measure)
        for series, items in lists.items()
        for i, item in enumerate(items)
    ]
    writer = await pool.acquire()
    registry = LookupRegistry(writer)
    pipeline, commit = build_pipeline(limits=limits, registry=registry, writer=writer, metrics=metrics)
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
        pool.release(writer)
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
