"""The ingest as explicit steps with one interface (arroyo's processing strategies, without the framework).

receive (MQTT consumer or HTTP endpoint) -> :class:`Decode` -> :class:`Resolve` -> :class:`Validate`
-> :class:`CapDeadLetters` -> :class:`Commit` -> acknowledge (MQTT only, after the commit). Both entries
get their chain from one factory, :func:`build_pipeline`.

Every step takes the whole batch and may reject any message (``message.rejection``); later steps skip
rejected messages, and :class:`Commit` stores them as dead letters in the same transaction as the rows
of the others. A database error that is not transient splits the batch until the guilty messages are
found: they become dead letters too, so one message can never stall the messages behind it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from houqin_common.i18n import N_
from telemetry_ingest.ingest.metrics import IngestMetrics
from telemetry_ingest.ingest.validation import (
    AlarmRow,
    DeviceKind,
    Item,
    Limits,
    PositionRow,
    ReadingRow,
    Rejected,
    build_alarm_rows,
    build_rows,
    decode,
)
from telemetry_ingest.ingest.writer import BatchWriter, DeadLetterRow, WriteResult, is_transient

log = logging.getLogger("telemetry_ingest.pipeline")


@dataclass(slots=True, eq=False)
class Message:
    """One MQTT message, or one item of a POST /v1/ingest body, on its way through the steps."""

    source: str
    topic: str
    payload: bytes
    received_at: datetime
    mid: int | None = None
    """MQTT packet id of a QoS 1 message: acknowledged after the commit."""
    label: str | None = None
    """Where the dead letter says it came from, when not the topic (the HTTP item)."""
    items: list[Item] | None = None
    readings: list[ReadingRow] = field(default_factory=list)
    positions: list[PositionRow] = field(default_factory=list)
    alarms: list[AlarmRow] = field(default_factory=list)
    """Issue 26: alarm events (topic `houqin/v1/alarms/{panel_id}/events`)."""
    rejection: Rejected | None = None
    parsed: Any = None
    """The HTTP item as parsed from the body: serialised only if it becomes a dead letter."""

    def dead_letter(self) -> DeadLetterRow:
        assert self.rejection is not None
        r = self.rejection
        payload = self.payload
        if not payload and self.parsed is not None:
            payload = json.dumps(self.parsed, ensure_ascii=False).encode()
        return DeadLetterRow(self.source, self.label or self.topic, payload, r.reason, r.kind, r.to_json())


class Step(Protocol):
    async def __call__(self, batch: Sequence[Message]) -> None: ...


def _pending(batch: Iterable[Message]) -> list[Message]:
    return [m for m in batch if m.rejection is None]


class Decode:
    """Size, strict UTF-8 JSON, topic shape."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    async def __call__(self, batch: Sequence[Message]) -> None:
        for m in _pending(batch):
            if m.items is not None:
                continue
            try:
                m.items = decode(m.topic, m.payload, self.limits, m.received_at)
            except Rejected as exc:
                m.rejection = exc
                if exc.kind == "oversize":
                    m.payload = m.payload[: self.limits.max_payload_bytes]  # a dead letter is not a storage bypass
            except Exception as exc:  # a bug must reject one message, not stop the ingest
                log.exception("unexpected error decoding a message on %r", m.topic[:200])
                m.rejection = Rejected("internal", N_("decoding failed: {error}"), error=repr(exc))


class Registry(Protocol):
    async def resolve(self, ids: Iterable[str]) -> None: ...

    def kind_of(self, device_id: str) -> DeviceKind | None: ...


class DeviceRegistry:
    """Registered device ids and their kind, refreshed periodically; unknown ids are looked up lazily."""

    def __init__(self, conn: BatchWriter, refresh_s: float, recheck_s: float) -> None:
        self.conn = conn
        self.refresh_s = refresh_s
        self.recheck_s = recheck_s
        self.kinds: dict[str, DeviceKind] = {}
        self.loaded_at = -math.inf
        self.unknown: dict[str, float] = {}

    async def resolve(self, ids: Iterable[str]) -> None:
        now = time.monotonic()
        if now - self.loaded_at > self.refresh_s:
            self.kinds = _kinds(await self.conn.all_device_kinds())
            self.loaded_at = now
            self.unknown.clear()
        missing = [i for i in ids if i not in self.kinds and now - self.unknown.get(i, -math.inf) > self.recheck_s]
        if missing:
            found = _kinds(await self.conn.device_kinds(missing))
            self.kinds.update(found)
            for device_id in missing:
                if device_id not in found:
                    self.unknown[device_id] = now

    def kind_of(self, device_id: str) -> DeviceKind | None:
        return self.kinds.get(device_id)


class LookupRegistry:
    """No cache: the ids of one HTTP request, looked up once."""

    def __init__(self, conn: BatchWriter) -> None:
        self.conn = conn
        self.kinds: dict[str, DeviceKind] = {}

    async def resolve(self, ids: Iterable[str]) -> None:
        wanted = sorted(set(ids))
        self.kinds = _kinds(await self.conn.device_kinds(wanted)) if wanted else {}

    def kind_of(self, device_id: str) -> DeviceKind | None:
        return self.kinds.get(device_id)


def _kinds(rows: dict[str, str]) -> dict[str, DeviceKind]:
    return {k: ("meter" if v == "meter" else "panel" if v == "panel" else "vehicle") for k, v in rows.items()}


class Resolve:
    """Look the batch's device ids up in the registry (one query per batch at most); ``lock`` serialises
    the look-ups of concurrent batches sharing one registry (and its connection)."""

    def __init__(self, registry: Registry, lock: asyncio.Lock | None = None) -> None:
        self.registry = registry
        self.lock = lock

    async def __call__(self, batch: Sequence[Message]) -> None:
        ids = {i.device_id for m in _pending(batch) if m.items for i in m.items}
        if self.lock is None:
            await self.registry.resolve(ids)
            return
        async with self.lock:
            await self.registry.resolve(ids)


class Validate:
    """Each item through the published payload model (houqin_common.schemas) into rows."""

    def __init__(self, registry: Registry, limits: Limits) -> None:
        self.registry = registry
        self.limits = limits

    async def __call__(self, batch: Sequence[Message]) -> None:
        for m in _pending(batch):
            if m.items is None:
                continue
            try:
                m.readings, m.positions = build_rows(m.items, self.registry.kind_of, m.received_at, self.limits)
                m.alarms = build_alarm_rows(m.items, self.registry.kind_of, m.received_at, self.limits)
            except Rejected as exc:
                m.rejection = exc
            except Exception as exc:  # never crash on input
                log.exception("unexpected error validating a message on %r", m.topic[:200])
                m.rejection = Rejected("internal", N_("validation failed: {error}"), error=repr(exc))


class DeadLetterFlood(Exception):
    """More dead letters than the configured cap: stop rather than silently bin a flood."""


class CapDeadLetters:
    """arroyo's ``DlqLimit``: a ratio of rejected messages over a window, and a run of consecutive ones.

    :meth:`__call__` checks a batch before its commit without recording it, so the batch that crosses the
    cap is neither stored nor acknowledged (the broker keeps it for after the cause, a misconfigured
    gateway or a wrong registry, is fixed) and a retried batch is not counted twice. :meth:`settle`
    records the batch once committed, with every dead letter it finally holds, those the database refused
    (``db_refused``, found only by the commit) included: when they cross the cap, the batch is stored
    (its dead letters are safe in the table) and the next check stops the consumer.
    """

    def __init__(self, *, max_ratio: float | None, max_consecutive: int | None, window: int) -> None:
        self.max_ratio = max_ratio
        self.max_consecutive = max_consecutive
        self.recent: deque[bool] = deque(maxlen=window)
        self.rejected_in_window = 0
        self.consecutive = 0
        self.flood: str | None = None

    async def __call__(self, batch: Sequence[Message]) -> None:
        if self.flood is not None:
            raise DeadLetterFlood(self.flood)
        _, _, _, flood = self._count(batch)
        if flood is not None:
            raise DeadLetterFlood(flood)

    def settle(self, batch: Sequence[Message]) -> None:
        self.recent, self.consecutive, self.rejected_in_window, flood = self._count(batch)
        self.flood = self.flood or flood

    def _count(self, batch: Sequence[Message]) -> tuple[deque[bool], int, int, str | None]:
        recent, consecutive, rejected = (
            deque(self.recent, maxlen=self.recent.maxlen),
            self.consecutive,
            self.rejected_in_window,
        )
        flood: str | None = None
        for m in batch:
            bad = m.rejection is not None
            if recent.maxlen is not None and len(recent) == recent.maxlen:
                rejected -= recent[0]
            recent.append(bad)
            rejected += bad
            consecutive = consecutive + 1 if bad else 0
            if flood is not None:
                continue
            if self.max_consecutive is not None and consecutive > self.max_consecutive:
                flood = f"{consecutive} consecutive messages rejected (cap {self.max_consecutive})"
            elif (
                self.max_ratio is not None
                and recent.maxlen is not None
                and len(recent) == recent.maxlen
                and rejected > self.max_ratio * len(recent)
            ):
                flood = f"{rejected} of the last {len(recent)} messages rejected (cap {self.max_ratio:.0%})"
        return recent, consecutive, rejected, flood


class Commit:
    """Rows and dead letters in one transaction (:meth:`BatchWriter.commit`); a permanent database error
    splits the batch in halves until the messages the database refuses are alone, then dead-letters them."""

    def __init__(self, writer: BatchWriter, metrics: IngestMetrics | None = None) -> None:
        self.writer = writer
        self.metrics = metrics
        self.result = WriteResult()
        self.committed: set[int] = set()
        """``id()`` of the messages already committed: a retry after a transient error skips them."""

    async def __call__(self, batch: Sequence[Message]) -> None:
        await self._commit([m for m in batch if id(m) not in self.committed])

    async def _commit(self, part: list[Message]) -> None:
        if not part:
            return
        readings = [r for m in part if m.rejection is None for r in m.readings]
        positions = [p for m in part if m.rejection is None for p in m.positions]
        dead = [m.dead_letter() for m in part if m.rejection is not None]
        alarms = [a for m in part if m.rejection is None for a in m.alarms]
        try:
            result = await self.writer.commit(readings, positions, dead, alarms=alarms)
        except Exception as exc:
            if is_transient(exc):
                raise
            if len(part) > 1:
                half = len(part) // 2
                await self._commit(part[:half])
                await self._commit(part[half:])
                return
            m = part[0]
            if m.rejection is not None:
                raise  # a dead letter alone refused: bytes and escaped text, so a bug or a broken schema
            if self.metrics is not None:
                self.metrics.db_refused.inc()
            state = getattr(exc, "sqlstate", None) or type(exc).__name__
            m.rejection = Rejected(
                "db_refused", N_("the database refused the message ({state}): {error}"), state=state, error=str(exc)
            )
            log.warning("message on %r refused by the database (%s): dead letter", m.topic[:200], state)
            await self._commit(part)
            return
        self.committed.update(id(m) for m in part)
        self.result.add(result)


class Pipeline:
    """The steps in order; :meth:`process` leaves every message either committed or raises (nothing half)."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)

    async def process(self, batch: Sequence[Message]) -> None:
        for step in self.steps:
            await step(batch)


def build_pipeline(
    *,
    limits: Limits,
    registry: Registry,
    writer: BatchWriter,
    metrics: IngestMetrics | None = None,
    cap: CapDeadLetters | None = None,
    registry_lock: asyncio.Lock | None = None,
) -> tuple[Pipeline, Commit]:
    """The one step chain of the ingest, for the MQTT consumer (with its dead-letter cap) and for
    POST /v1/ingest (without: a request's rejections are answered, not a flood to stop on). The
    :class:`Commit` is returned too: it holds what the batch wrote and which messages already committed,
    so processing the same batch again after a transient error skips them."""
    commit = Commit(writer, metrics)
    steps: list[Step] = [Decode(limits), Resolve(registry, registry_lock), Validate(registry, limits)]
    if cap is not None:
        steps.append(cap)
    steps.append(commit)
    return Pipeline(steps), commit
