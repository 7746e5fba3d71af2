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
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import aiomqtt
import paho.mqtt.client as paho
import psycopg
from paho.mqtt.enums import MQTTErrorCode
from prometheus_client import CollectorRegistry, start_http_server

from houqin_common import clock
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


Delivery = Callable[[int, int, bytes, bytes], None]
"""Receives (packet id, QoS, topic bytes, payload) of each PUBLISH."""


def fast_reads(mqtt: paho.Client, deliver: Delivery, chunk: int = 256 * 1024) -> None:
    """Make paho read the socket in large chunks and parse QoS 0/1 PUBLISH packets in one pass.

    paho 2.1 reads each packet with three or more ``recv`` calls (command byte, length bytes, body),
    builds an ``MQTTMessage`` per packet, and its ``loop_read`` handles one packet per readiness event
    when nothing is outgoing: for a QoS 1 stream that is the ceiling of the pipeline. Here a buffer
    sits in front of the socket; complete PUBLISH packets at its front are decoded directly (MQTT
    3.1.1: topic length, topic, packet id if QoS > 0, payload) and handed to ``deliver``; every other
    packet (CONNACK, SUBACK, PINGRESP, QoS 2) goes through paho's own reader, which reads from the
    buffer. The loop runs until the socket would block; it is bounded by the broker's in-flight window
    because nothing is acknowledged meanwhile.
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

    def take_publishes() -> int:
        """Decode the complete QoS 0/1 PUBLISH packets at the front of the buffer; returns how many."""
        pos = 0
        taken = 0
        size = len(buffer)
        while pos + 2 <= size:
            command = buffer[pos]
            if command & 0xF0 != 0x30 or (command >> 1) & 3 > 1:
                break
            length = 0
            mult = 1
            i = pos + 1
            while True:
                if i >= size or i - pos > 4:
                    length = -1
                    break
                byte = buffer[i]
                length += (byte & 127) * mult
                mult *= 128
                i += 1
                if not byte & 128:
                    break
            if length < 0 or i + length > size:
                break
            end = i + length
            topic_len = (buffer[i] << 8) | buffer[i + 1]
            topic_end = i + 2 + topic_len
            qos = (command >> 1) & 3
            if topic_len == 0 or topic_end + 2 * qos > end:
                break  # malformed: let paho report the protocol error
            topic = bytes(buffer[i + 2 : topic_end])
            if qos:
                mid = (buffer[topic_end] << 8) | buffer[topic_end + 1]
                payload = bytes(buffer[topic_end + 2 : end])
            else:
                mid = 0
                payload = bytes(buffer[topic_end:end])
            deliver(mid, qos, topic, payload)
            pos = end
            taken += 1
        if pos:
            del buffer[:pos]
        return taken

    def loop_read(max_packets: int = 1) -> MQTTErrorCode:
        while True:
            if mqtt._sock is None:
                return MQTTErrorCode.MQTT_ERR_NO_CONN
            if mqtt._in_packet["command"] == 0 and buffer and take_publishes():
                mqtt._last_bytes_received = time.monotonic()
                continue
            before = len(buffer)
            rc = mqtt._packet_read()
            if rc > 0:
                return mqtt._loop_rc_handle(rc)
            if rc == MQTTErrorCode.MQTT_ERR_AGAIN and (not buffer or len(buffer) == before):
                return MQTTErrorCode.MQTT_ERR_SUCCESS

    mqtt._sock_recv = sock_recv  # type: ignore[method-assign]
    mqtt.loop_read = loop_read  # type: ignore[method-assign]


_PUBACK = struct.Struct("!BBH")
PUBACK = 0x40


def acknowledge(mqtt: paho.Client, mids: list[int], *, batched: bool) -> None:
    """PUBACK each QoS 1 message id, in order.

    ``batched``: one write of all the PUBACK packets through paho's out queue instead of one queued
    packet (and one ``send``) per message via ``paho.Client.ack``; the bytes on the wire are the same.
    """
    if not mids:
        return
    if batched:
        mqtt._packet_queue(PUBACK, b"".join([_PUBACK.pack(PUBACK, 2, mid) for mid in mids]), 0, 1)
    else:
        for mid in mids:
            mqtt.ack(mid, 1)


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
        # one connection per concurrent batch write, and one for registry look-ups
        self.writers: list[BatchWriter] = [
            BatchWriter(settings.database_url) for _ in range(settings.write_concurrency)
        ]
        self.idle_writers: asyncio.Queue[BatchWriter] = asyncio.Queue()
        for writer in self.writers:
            self.idle_writers.put_nowait(writer)
        self.registry_conn = BatchWriter(settings.database_url)
        self.registry = DeviceRegistry(
            self.registry_conn, settings.registry_refresh_s, settings.unknown_device_recheck_s
        )
        self.registry_lock = asyncio.Lock()
        self.stop = asyncio.Event()
        self._wake: asyncio.Event | None = None
        self._shared: bool | None = None
        self.committed_messages = 0
        self.committed_batches = 0
        self.write_seconds = 0.0

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
        if self._shared is None:
            self._shared = await self._detect_mosquitto()
        return self._shared

    async def _detect_mosquitto(self) -> bool:
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
                except Exception:
                    # A bug must not take the ingest down for good: unacknowledged messages are
                    # redelivered on the next session, and the keys make that harmless.
                    delay = backoff.next_delay()
                    log.exception("consumer session failed; restarting it in %.1f s", delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), delay)
        finally:
            for writer in [*self.writers, self.registry_conn]:
                await writer.close()

    async def _session(self, backoff: Backoff) -> None:
        shared = await self._broker_shares()
        client = self._client()
        inbox: deque[tuple[int, int, bytes, bytes]] = deque()
        wake = self._wake = asyncio.Event()

        def deliver(mid: int, qos: int, topic: bytes, payload: bytes) -> None:
            inbox.append((mid, qos, topic, payload))
            if not wake.is_set():
                wake.set()

        def on_message(_c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
            deliver(message.mid, message.qos, message._topic, cast(bytes, message.payload))

        # Both must be in place before CONNECT: the persistent session's backlog follows CONNACK at once.
        client._client.manual_ack_set(True)
        client._client.on_message = on_message
        if self.settings.mqtt_fast_io:
            fast_reads(client._client, deliver)
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
        inbox: deque[tuple[int, int, bytes, bytes]],
        wake: asyncio.Event,
        disconnected: asyncio.Future[None],
    ) -> None:
        loop = asyncio.get_running_loop()
        max_size = self.settings.batch_max_size
        max_age = self.settings.batch_max_age_ms / 1000
        batch: list[Inbound] = []
        first_at = 0.0
        # Batches are written concurrently (up to write_concurrency); each acknowledges only after its
        # own commit and after the previous batch has acknowledged, so PUBACKs keep the arrival order.
        flushes: deque[asyncio.Task[None]] = deque()
        try:
            while True:
                while flushes and flushes[0].done():
                    flushes.popleft().result()  # re-raises ShutdownWithoutAck
                if disconnected.done():
                    raise aiomqtt.MqttError("disconnected from the broker")
                while inbox and len(batch) < max_size:
                    if not batch:
                        first_at = loop.time()
                    batch.append(self._inbound(inbox.popleft()))
                if batch and (len(batch) >= max_size or loop.time() - first_at >= max_age or self.stop.is_set()):
                    while len(flushes) >= self.settings.write_concurrency:
                        await asyncio.wait([flushes[0]])
                        flushes.popleft().result()
                    previous = flushes[-1] if flushes else None
                    flushes.append(asyncio.create_task(self._flush(mqtt, batch, previous)))
                    batch = []
                    continue
                if self.stop.is_set():
                    while flushes:
                        await flushes.popleft()
                    return
                wake.clear()
                if inbox:
                    continue
                timeout = max(0.0, max_age - (loop.time() - first_at)) if batch else None
                if flushes and (timeout is None or timeout > 0.05):
                    timeout = 0.05  # come back to collect finished flushes
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout)
        finally:
            # Leaving the session (disconnect or error): let running writes finish; their PUBACKs go
            # nowhere and the broker redelivers, which the primary keys absorb.
            for task in flushes:
                with contextlib.suppress(Exception):
                    await task

    def _inbound(self, packet: tuple[int, int, bytes, bytes]) -> Inbound:
        mid, qos, raw_topic, payload = packet
        received_at = clock.now()
        try:
            topic = raw_topic.decode()
        except UnicodeDecodeError:
            topic = raw_topic.decode("utf-8", "replace")
        try:
            return Inbound(mid, qos, topic, payload, received_at, decode(topic, payload, self.limits), None)
        except Rejected as exc:
            return Inbound(mid, qos, topic, payload, received_at, None, exc)
        except Exception as exc:  # the consumer never crashes on input
            log.exception("unexpected error decoding a message on %s", topic)
            return Inbound(mid, qos, topic, payload, received_at, None, Rejected("invalid", str(exc)))

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

    async def _flush(self, mqtt: paho.Client, batch: list[Inbound], previous: asyncio.Task[None] | None) -> None:
        backoff = Backoff(self.settings.retry_initial_s, self.settings.retry_max_s)
        started = time.perf_counter()
        writer = await self.idle_writers.get()
        try:
            while True:
                try:
                    async with self.registry_lock:
                        await self.registry.resolve({i.device_id for m in batch if m.items for i in m.items})
                    readings, positions, dead = self._rows(batch)
                    write_started = time.perf_counter()
                    result = await writer.write(readings, positions, dead)
                    self.write_seconds += time.perf_counter() - write_started
                    break
                except (psycopg.Error, OSError) as exc:
                    self.metrics.db_errors.inc()
                    if self.stop.is_set() and backoff.attempt >= 2:
                        raise ShutdownWithoutAck from exc
                    delay = backoff.next_delay()
                    log.warning("batch of %d not written (%s); retrying in %.1f s", len(batch), exc, delay)
                    await asyncio.sleep(delay)
        finally:
            self.idle_writers.put_nowait(writer)
        if previous is not None:
            await previous  # its failure (shutdown without ack) leaves this batch unacknowledged too
        # Acknowledge only now that the batch is committed, in the order the messages arrived.
        acknowledge(mqtt, [m.mid for m in batch if m.qos > 0], batched=self.settings.mqtt_fast_io)
        self.committed_messages += len(batch)
        self.committed_batches += 1
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
    log.warning(
        "consumer stopped: %d messages in %d batches committed, %.2f s spent writing",
        consumer.committed_messages,
        consumer.committed_batches,
        consumer.write_seconds,
    )


def main() -> None:
    """Blocking entry point of the `mqtt-consumer` worker; SIGTERM flushes the batch and exits."""
    from houqin_common.observability import configure_logging

    settings = get_settings()
    configure_logging("telemetry-ingest.consumer", settings.log_level, settings.log_json)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
