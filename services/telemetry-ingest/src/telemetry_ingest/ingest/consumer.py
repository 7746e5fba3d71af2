"""The MQTT consumer: validate -> batch (max size or max age) -> write + commit -> acknowledge.

At-least-once delivery with exactly-once effect. aiomqtt acknowledges QoS 1 messages on receipt;
this consumer turns paho's manual acknowledgement on (``manual_ack_set(True)``, before connecting,
so a persistent session's backlog is not acknowledged either) and sends each PUBACK only after the
transaction holding the message's rows (or its dead letter) has committed. A crash before that
makes the broker redeliver; the ``(device, ts)`` keys turn the redelivery into a no-op.

Back-pressure: the broker hands out at most its in-flight window of unacknowledged messages
(Mosquitto ``max_inflight_messages``), so while the database is down the consumer stops acking,
holds at most that window in memory, retries with back-off, and the backlog waits in the broker.

aiomqtt 2.5.1 is pinned: the consumer reads its ``_client`` (paho) and ``_disconnected`` attributes,
and replaces paho's ``on_message`` to skip the per-message task of aiomqtt's iterator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import signal
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import aiomqtt
import paho.mqtt.client as paho
import psycopg
from paho.mqtt.enums import MQTTErrorCode
from prometheus_client import CollectorRegistry, start_http_server

from telemetry_ingest.ingest.metrics import IngestMetrics
from telemetry_ingest.ingest.validation import (
    SUBSCRIPTIONS,
    DeviceKind,
    Item,
    Limits,
    PositionRow,
    ReadingRow,
    Rejected,
    build_rows,
    decode,
)
from telemetry_ingest.ingest.writer import BatchWriter, DeadLetterRow
from telemetry_ingest.settings import Settings, get_settings

log = logging.getLogger("telemetry_ingest.consumer")


class Backoff:
    """Exponential back-off with full jitter, reset after a success."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial, self.maximum, self.attempt = initial, maximum, 0

    def next_delay(self) -> float:
        delay = min(self.maximum, self.initial * (2**self.attempt))
        self.attempt += 1
        return float(delay * random.uniform(0.5, 1.0))

    def reset(self) -> None:
        self.attempt = 0


class DeviceRegistry:
    """Registered device ids and their kind, refreshed periodically; unknown ids are looked up lazily."""

    def __init__(self, writer: BatchWriter, refresh_s: float, recheck_s: float) -> None:
        self.writer = writer
        self.refresh_s = refresh_s
        self.recheck_s = recheck_s
        self.kinds: dict[str, DeviceKind] = {}
        self.loaded_at = -math.inf
        self.unknown: dict[str, float] = {}

    async def resolve(self, ids: Iterable[str]) -> None:
        now = time.monotonic()
        if now - self.loaded_at > self.refresh_s:
            self.kinds = _kinds(await self.writer.all_device_kinds())
            self.loaded_at = now
            self.unknown.clear()
        missing = [i for i in ids if i not in self.kinds and now - self.unknown.get(i, -math.inf) > self.recheck_s]
        if missing:
            found = _kinds(await self.writer.device_kinds(missing))
            self.kinds.update(found)
            for device_id in missing:
                if device_id not in found:
                    self.unknown[device_id] = now

    def kind_of(self, device_id: str) -> DeviceKind | None:
        return self.kinds.get(device_id)


def _kinds(rows: dict[str, str]) -> dict[str, DeviceKind]:
    return {k: ("meter" if v == "meter" else "vehicle") for k, v in rows.items()}


@dataclass(slots=True)
class Inbound:
    mid: int
    qos: int
    topic: str
    payload: bytes
    received_at: datetime
    items: list[Item] | None
    rejection: Rejected | None


def buffered_reads(mqtt: paho.Client, chunk: int = 256 * 1024) -> None:
    """Make paho read the socket in large chunks and drain every complete packet per wake-up.

    paho 2.1 reads each packet with three or more ``recv`` calls (command byte, length bytes, body)
    and its ``loop_read`` handles one packet per readiness event when nothing is outgoing, so a QoS 1
    stream costs an event-loop turn and several syscalls per message: the ceiling of the pipeline.
    A buffer in front of the socket and a ``loop_read`` that runs until the socket would block remove
    both. The loop is bounded by the broker's in-flight window (nothing is acknowledged meanwhile).
    """
    buffer = bytearray()

    def sock_recv(bufsize: int) -> bytes:
        if len(buffer) < bufsize:
            sock = mqtt._sock
            if sock is None:
                raise ConnectionError("socket is closed")
            try:
                data = sock.recv(max(chunk, bufsize))
            except BlockingIOError:
                if not buffer:
                    raise
            else:
                if not data and not buffer:
                    return b""
                buffer.extend(data)
        out = bytes(buffer[:bufsize])
        del buffer[:bufsize]
        return out

    def loop_read(max_packets: int = 1) -> MQTTErrorCode:
        while True:
            if mqtt._sock is None:
                return MQTTErrorCode.MQTT_ERR_NO_CONN
            before = len(buffer)
            rc = mqtt._packet_read()
            if rc > 0:
                return mqtt._loop_rc_handle(rc)
            if rc == MQTTErrorCode.MQTT_ERR_AGAIN and (not buffer or len(buffer) == before):
                return MQTTErrorCode.MQTT_ERR_SUCCESS

    mqtt._sock_recv = sock_recv  # type: ignore[method-assign]
    mqtt.loop_read = loop_read  # type: ignore[method-assign]


class ShutdownWithoutAck(Exception):
    """Stop was requested while the database was unreachable: leave the batch to the broker."""


class Consumer:
    def __init__(self, settings: Settings, *, metrics: IngestMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or IngestMetrics(CollectorRegistry())
        self.limits = Limits(
            max_payload_bytes=settings.max_payload_bytes,
            max_future_skew=timedelta(seconds=settings.max_future_skew_s),
        )
        self.writer = BatchWriter(settings.database_url)
        self.registry = DeviceRegistry(self.writer, settings.registry_refresh_s, settings.unknown_device_recheck_s)
        self.stop = asyncio.Event()
        self._wake: asyncio.Event | None = None
        self.committed_messages = 0

    def request_stop(self) -> None:
        self.stop.set()
        if self._wake is not None:
            self._wake.set()

    def topics(self, shared: bool) -> list[tuple[str, int]]:
        prefix = f"$share/{self.settings.mqtt_share_group}/" if shared else ""
        return [(prefix + t, 1) for t in SUBSCRIPTIONS]

    async def _broker_shares(self) -> bool:
        """Whether to use a shared subscription: configured, or detected from ``$SYS/broker/version``.

        The embedded development broker (amqtt) has no shared subscriptions and would deliver nothing.
        """
        if self.settings.mqtt_shared is not None:
            return self.settings.mqtt_shared
        url = urlsplit(self.settings.mqtt_url)
        probe = aiomqtt.Client(
            url.hostname or "127.0.0.1",
            url.port or 1883,
            identifier=f"{self.settings.mqtt_client_id}-probe",
            username=self.settings.mqtt_username or url.username,
            password=self.settings.mqtt_password or url.password,
            timeout=5,
        )
        async with probe:
            await probe.subscribe("$SYS/broker/version")
            try:
                async with asyncio.timeout(1.5):
                    async for message in probe.messages:
                        return b"mosquitto" in bytes(message.payload or b"").lower()
            except TimeoutError:
                pass
        log.warning("broker did not identify itself as Mosquitto: subscribing without $share")
        return False

    def _client(self) -> aiomqtt.Client:
        url = urlsplit(self.settings.mqtt_url)
        return aiomqtt.Client(
            url.hostname or "127.0.0.1",
            url.port or 1883,
            identifier=self.settings.mqtt_client_id,
            clean_session=False,
            username=self.settings.mqtt_username or url.username,
            password=self.settings.mqtt_password or url.password,
            keepalive=self.settings.mqtt_keepalive_s,
            timeout=10,
        )

    async def run(self) -> None:
        """Connect, consume, reconnect with back-off, until :meth:`request_stop`."""
        backoff = Backoff(self.settings.retry_initial_s, self.settings.retry_max_s)
        try:
            while not self.stop.is_set():
                try:
                    await self._session(backoff)
                except aiomqtt.MqttError as exc:
                    self.metrics.reconnects.labels("failed").inc()
                    delay = backoff.next_delay()
                    log.warning("MQTT connection lost or refused (%s); reconnecting in %.1f s", exc, delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), delay)
                except ShutdownWithoutAck:
                    log.warning("stopping with an unwritten batch: the broker will redeliver it")
                    return
        finally:
            await self.writer.close()

    async def _session(self, backoff: Backoff) -> None:
        shared = await self._broker_shares()
        client = self._client()
        inbox: deque[paho.MQTTMessage] = deque()
        wake = self._wake = asyncio.Event()

        def on_message(_c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
            inbox.append(message)
            if not wake.is_set():
                wake.set()

        # Both must be in place before CONNECT: the persistent session's backlog follows CONNACK at once.
        client._client.manual_ack_set(True)
        client._client.on_message = on_message
        if self.settings.mqtt_buffered_reads:
            buffered_reads(client._client)
        if not log.isEnabledFor(logging.DEBUG):
            # paho logs every packet at DEBUG through aiomqtt's logger: a measurable cost per message
            client._client.disable_logger()
        async with client:
            self.metrics.reconnects.labels("ok").inc()
            disconnected: asyncio.Future[None] = client._disconnected
            disconnected.add_done_callback(lambda _f: wake.set())
            await client.subscribe(self.topics(shared))
            backoff.reset()
            log.info("consuming %s as %s", [t for t, _ in self.topics(shared)], self.settings.mqtt_client_id)
            await self._consume(client._client, inbox, wake, disconnected)

    async def _consume(
        self,
        mqtt: paho.Client,
        inbox: deque[paho.MQTTMessage],
        wake: asyncio.Event,
        disconnected: asyncio.Future[None],
    ) -> None:
        loop = asyncio.get_running_loop()
        max_size = self.settings.batch_max_size
        max_age = self.settings.batch_max_age_ms / 1000
        batch: list[Inbound] = []
        first_at = 0.0
        while True:
            if disconnected.done():
                raise aiomqtt.MqttError("disconnected from the broker")
            while inbox and len(batch) < max_size:
                if not batch:
                    first_at = loop.time()
                batch.append(self._inbound(inbox.popleft()))
            if batch and (len(batch) >= max_size or loop.time() - first_at >= max_age or self.stop.is_set()):
                await self._flush(mqtt, batch)
                batch = []
                continue
            if self.stop.is_set():
                return
            wake.clear()
            if inbox:
                continue
            timeout = max(0.0, max_age - (loop.time() - first_at)) if batch else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)

    def _inbound(self, message: paho.MQTTMessage) -> Inbound:
        received_at = datetime.now(UTC)
        payload = cast(bytes, message.payload)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = message._topic.decode("utf-8", "replace")
        try:
            return Inbound(
                message.mid, message.qos, topic, payload, received_at, decode(topic, payload, self.limits), None
            )
        except Rejected as exc:
            return Inbound(message.mid, message.qos, topic, payload, received_at, None, exc)
        except Exception as exc:  # the consumer never crashes on input
            log.exception("unexpected error decoding a message on %s", topic)
            return Inbound(message.mid, message.qos, topic, payload, received_at, None, Rejected("invalid", str(exc)))

    def _rows(self, batch: list[Inbound]) -> tuple[list[ReadingRow], list[PositionRow], list[DeadLetterRow]]:
        readings: list[ReadingRow] = []
        positions: list[PositionRow] = []
        dead: list[DeadLetterRow] = []
        kind_of = self.registry.kind_of
        for m in batch:
            rejection = m.rejection
            if rejection is None and m.items is not None:
                try:
                    r, p = build_rows(m.items, kind_of, m.received_at, self.limits)
                    readings.extend(r)
                    positions.extend(p)
                    continue
                except Rejected as exc:
                    rejection = exc
                except Exception as exc:  # never crash on input
                    log.exception("unexpected error validating a message on %s", m.topic)
                    rejection = Rejected("invalid", str(exc)[:300])
            assert rejection is not None
            dead.append(DeadLetterRow("mqtt", m.topic, m.payload, rejection.reason, rejection.kind))
        return readings, positions, dead

    async def _flush(self, mqtt: paho.Client, batch: list[Inbound]) -> None:
        backoff = Backoff(self.settings.retry_initial_s, self.settings.retry_max_s)
        started = time.perf_counter()
        while True:
            try:
                await self.registry.resolve({i.device_id for m in batch if m.items for i in m.items})
                readings, positions, dead = self._rows(batch)
                result = await self.writer.write(readings, positions, dead)
                break
            except (psycopg.Error, OSError) as exc:
                self.metrics.db_errors.inc()
                if self.stop.is_set() and backoff.attempt >= 2:
                    raise ShutdownWithoutAck from exc
                delay = backoff.next_delay()
                log.warning("batch of %d not written (%s); retrying in %.1f s", len(batch), exc, delay)
                await asyncio.sleep(delay)
        # Acknowledge only now that the batch is committed, in the order the messages arrived.
        for m in batch:
            if m.qos > 0:
                mqtt.ack(m.mid, m.qos)
        self.committed_messages += len(batch)
        m_ = self.metrics
        m_.batch_seconds.observe(time.perf_counter() - started)
        m_.batch_size.observe(len(batch))
        m_.messages.labels("mqtt", "stored").inc(len(batch) - len(dead))
        if dead:
            m_.messages.labels("mqtt", "dead_letter").inc(len(dead))
            for d in dead:
                m_.dead_letters.labels("mqtt", d.kind).inc()
        m_.rows.labels("reading", "inserted").inc(result.inserted_readings)
        m_.rows.labels("reading", "duplicate").inc(result.readings - result.inserted_readings)
        m_.rows.labels("position", "inserted").inc(result.inserted_positions)
        m_.rows.labels("position", "duplicate").inc(result.positions - result.inserted_positions)


async def run(settings: Settings) -> None:
    registry = CollectorRegistry()
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, registry=registry)
    consumer = Consumer(settings, metrics=IngestMetrics(registry))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, consumer.request_stop)
    await consumer.run()
    log.info("consumer stopped after %d committed messages", consumer.committed_messages)


def main() -> None:
    """Blocking entry point of the `mqtt-consumer` worker; SIGTERM flushes the batch and exits."""
    from houqin_common.observability import configure_logging

    settings = get_settings()
    configure_logging("telemetry-ingest.consumer", settings.log_level, settings.log_json)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
