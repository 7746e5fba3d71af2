"""The MQTT entry of the ingest: receive, batch (max size or max age), run the pipeline, acknowledge.

At-least-once delivery with exactly-once effect. The connection (:mod:`telemetry_ingest.ingest.mqtt`)
acknowledges nothing by itself: each PUBACK is sent only after the transaction holding the message's rows
(or its dead letter) has committed. A crash before that makes the broker redeliver; the ``(device, ts)``
keys turn the redelivery into a no-op.

Lossless across broker restarts: a plain subscription (clean session off, stable client id, QoS 1),
which Mosquitto restores from its persistence file, unlike a ``$share`` one. Scaled out, each consumer
keeps its own such session and stores only its partition of the devices (:mod:`.partition`).

Back-pressure: the broker hands out at most its in-flight window of unacknowledged messages
(Mosquitto ``max_inflight_messages``), so while the database is down the consumer stops acking,
holds at most that window in memory, retries with back-off, and the backlog waits in the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import deque
from typing import cast
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from prometheus_client import CollectorRegistry, start_http_server

from houqin_common import clock
from houqin_common.retry import Backoff
from telemetry_ingest.ingest.metrics import BROKER_STATS, IngestMetrics
from telemetry_ingest.ingest.mqtt import MqttError, MqttSession
from telemetry_ingest.ingest.partition import own_partition, partition_of
from telemetry_ingest.ingest.pipeline import (
    CapDeadLetters,
    Commit,
    DeadLetterFlood,
    DeviceRegistry,
    Message,
    build_pipeline,
)
from telemetry_ingest.ingest.validation import SUBSCRIPTIONS, Limits
from telemetry_ingest.ingest.writer import BatchWriter, WriterPool, is_transient
from telemetry_ingest.settings import Settings, get_settings

log = logging.getLogger("telemetry_ingest.consumer")

#: Exit status of the worker when the dead-letter cap stopped it.
EXIT_DEAD_LETTER_FLOOD = 3


class ShutdownWithoutAck(Exception):
    """Stop was requested while the database was unreachable: leave the batch to the broker."""


class Consumer:
    def __init__(self, settings: Settings, *, metrics: IngestMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or IngestMetrics(CollectorRegistry())
        self.limits = Limits(max_payload_bytes=settings.max_payload_bytes, max_future_skew=settings.max_future_skew)
        # one connection per concurrent batch write, and one for registry look-ups
        self.writers = WriterPool(settings.database_url, settings.write_concurrency)
        self.registry_conn = BatchWriter(settings.database_url)
        self.registry = DeviceRegistry(
            self.registry_conn, settings.registry_refresh_s, settings.unknown_device_recheck_s
        )
        self.registry_lock = asyncio.Lock()
        self.cap = CapDeadLetters(
            max_ratio=settings.dead_letter_max_ratio,
            max_consecutive=settings.dead_letter_max_consecutive,
            window=settings.dead_letter_window,
        )
        self.backoff = Backoff(settings.retry_initial_s, settings.retry_max_s)
        self.stop = asyncio.Event()
        self.flood: DeadLetterFlood | None = None
        self._wake: asyncio.Event | None = None
        self.partition = own_partition(settings.mqtt_client_id, settings.mqtt_partitions, settings.mqtt_partition)
        self.committed_messages = 0
        self.committed_batches = 0
        self.pipeline_seconds = 0.0

    def request_stop(self) -> None:
        self.stop.set()
        if self._wake is not None:
            self._wake.set()

    def topics(self) -> list[tuple[str, int]]:
        prefix = f"$share/{self.settings.mqtt_share_group}/" if self.settings.mqtt_shared else ""
        return [(prefix + t, 1) for t in SUBSCRIPTIONS]

    async def run(self) -> None:
        """Connect, consume, reconnect with back-off, until :meth:`request_stop` or a dead-letter flood.

        The back-off is reset only when a batch commits (in :meth:`_flush`): a session that connects and
        subscribes but cannot get a batch through keeps backing off instead of reconnecting in a loop.
        """
        try:
            while not self.stop.is_set():
                try:
                    await self._session()
                except MqttError as exc:
                    self.metrics.reconnects.labels("failed").inc()
                    await self._pause(f"MQTT connection lost or refused ({exc})")
                except ShutdownWithoutAck:
                    log.warning("stopping with an unwritten batch: the broker will redeliver it")
                    return
                except DeadLetterFlood as exc:
                    self.metrics.dead_letter_flood.inc()
                    self.flood = exc
                    log.critical(
                        "STOPPING: dead-letter cap exceeded (%s). The batch was neither stored nor acknowledged; "
                        "the broker keeps it. Look at the recent dead letters (GET /v1/dead-letters), fix the "
                        "cause, then restart (or raise HOUQIN_TELEMETRY_DEAD_LETTER_MAX_*).",
                        exc,
                    )
                    return
                except Exception:
                    # A bug must not take the ingest down for good: unacknowledged messages are
                    # redelivered on the next session, and the keys make that harmless.
                    log.exception("consumer session failed")
                    await self._pause("consumer session failed")
        finally:
            await self.writers.close()
            await self.registry_conn.close()

    async def _pause(self, why: str) -> None:
        delay = self.backoff.next_delay()
        log.warning("%s; reconnecting in %.1f s (attempt %d)", why, delay, self.backoff.attempt)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), delay)

    async def _session(self) -> None:
        url = urlsplit(self.settings.mqtt_url)
        inbox: deque[Message] = deque()
        wake = self._wake = asyncio.Event()
        partitions, mine = self.settings.mqtt_partitions, self.partition

        stats = self.metrics.broker

        def on_message(message: paho.MQTTMessage) -> None:
            topic = message.topic
            if topic.startswith("$SYS/"):
                stats.update(topic, cast(bytes, message.payload))
                return
            stats.received += 1
            mid = message.mid if message.qos > 0 else None
            if partitions > 1 and partition_of(topic, partitions) != mine:
                # another consumer's device: its owner has the message in its own session
                if mid is not None:
                    session.ack(mid)
                return
            inbox.append(Message("mqtt", topic, cast(bytes, message.payload), clock.now(), mid=mid))
            if not wake.is_set():
                wake.set()

        session = MqttSession(
            url.hostname or "127.0.0.1",
            url.port or 1883,
            client_id=self.settings.mqtt_client_id,
            on_message=on_message,
            username=self.settings.mqtt_username or url.username,
            password=self.settings.mqtt_password or url.password,
            keepalive=self.settings.mqtt_keepalive_s,
        )
        try:
            await session.connect()
            self.metrics.reconnects.labels("ok").inc()
            session.disconnected.add_done_callback(lambda _f: wake.set())
            await session.subscribe(self.topics())
            try:  # QoS 0: never queued for the session; a broker without $SYS (or an ACL) may refuse
                await session.subscribe([(t, 0) for t in BROKER_STATS])
            except MqttError as exc:
                log.warning("no broker statistics ($SYS): %s", exc)
            log.info(
                "consuming %s as %s (partition %d of %d)",
                [t for t, _ in self.topics()],
                self.settings.mqtt_client_id,
                mine,
                partitions,
            )
            await self._consume(session, inbox, wake)
        finally:
            await session.close()

    async def _consume(
        self,
        mqtt: MqttSession,
        inbox: deque[Message],
        wake: asyncio.Event,
    ) -> None:
        loop = asyncio.get_running_loop()
        max_size = self.settings.batch_max_size
        max_age = self.settings.batch_max_age_ms / 1000
        batch: list[Message] = []
        first_at = 0.0
        # Batches are written concurrently (up to write_concurrency); each acknowledges only after its
        # own commit and after the previous batch has acknowledged, so PUBACKs keep the arrival order.
        flushes: deque[asyncio.Task[None]] = deque()
        try:
            while True:
                while flushes and flushes[0].done():
                    flushes.popleft().result()  # re-raises ShutdownWithoutAck, DeadLetterFlood
                if mqtt.disconnected.done():
                    raise MqttError("disconnected from the broker")
                while inbox and len(batch) < max_size:
                    if not batch:
                        first_at = loop.time()
                    batch.append(inbox.popleft())
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

    async def _flush(self, mqtt: MqttSession, batch: list[Message], previous: asyncio.Task[None] | None) -> None:
        """decode -> resolve -> validate -> cap -> write+commit, retrying transient database errors only."""
        backoff = Backoff(self.settings.retry_initial_s, self.settings.retry_max_s)
        started = time.perf_counter()
        writer = await self.writers.acquire()
        pipeline, commit = build_pipeline(
            limits=self.limits,
            registry=self.registry,
            writer=writer,
            metrics=self.metrics,
            cap=self.cap,
            registry_lock=self.registry_lock,
        )
        try:
            while True:
                try:
                    await pipeline.process(batch)  # a retry skips what already committed
                    break
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    self.metrics.db_errors.inc()
                    if self.stop.is_set() and backoff.attempt >= 2:
                        raise ShutdownWithoutAck from exc
                    delay = backoff.next_delay()
                    log.warning("batch of %d not written (%s); retrying in %.1f s", len(batch), exc, delay)
                    await asyncio.sleep(delay)
        finally:
            self.writers.release(writer)
        self.backoff.reset()  # a commit went through: the connection works
        self.cap.settle(batch)  # with the dead letters the commit itself found (db_refused)
        if previous is not None:
            await previous  # its failure (shutdown without ack) leaves this batch unacknowledged too
        # Acknowledge only now that the batch is committed, in the order the messages arrived.
        for m in batch:
            if m.mid is not None:
                mqtt.ack(m.mid)
        self.committed_messages += len(batch)
        self.committed_batches += 1
        seconds = time.perf_counter() - started
        self.pipeline_seconds += seconds
        self._count(batch, commit, seconds)

    def _count(self, batch: list[Message], commit: Commit, seconds: float) -> None:
        m_ = self.metrics
        result = commit.result
        dead = [m for m in batch if m.rejection is not None]
        m_.batch_seconds.observe(seconds)
        m_.batch_size.observe(len(batch))
        m_.messages.labels("mqtt", "stored").inc(len(batch) - len(dead))
        if dead:
            m_.messages.labels("mqtt", "dead_letter").inc(len(dead))
            for d in dead:
                assert d.rejection is not None
                m_.dead_letters.labels("mqtt", d.rejection.kind).inc()
        m_.rows.labels("reading", "inserted").inc(result.inserted_readings)
        m_.rows.labels("reading", "duplicate").inc(result.readings - result.inserted_readings)
        m_.rows.labels("position", "inserted").inc(result.inserted_positions)
        m_.rows.labels("position", "duplicate").inc(result.positions - result.inserted_positions)


async def run(settings: Settings) -> int:
    registry = CollectorRegistry()
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, registry=registry)
    consumer = Consumer(settings, metrics=IngestMetrics(registry))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, consumer.request_stop)
    await consumer.run()
    log.warning(
        "consumer stopped: %d messages in %d batches committed, %.2f s spent in the pipeline",
        consumer.committed_messages,
        consumer.committed_batches,
        consumer.pipeline_seconds,
    )
    return EXIT_DEAD_LETTER_FLOOD if consumer.flood is not None else 0


def main() -> None:
    """Blocking entry point of the `mqtt-consumer` worker; SIGTERM flushes the batch and exits."""
    from houqin_common.observability import configure_logging

    settings = get_settings()
    configure_logging("telemetry-ingest.consumer", settings.log_level, settings.log_json)
    code = asyncio.run(run(settings))
    if code:
        raise SystemExit(code)


if __name__ == "__main__":
    main()
