"""Hands positions to the MQTT pipeline and tells the gateway when they are safe.

:class:`Publisher` publishes QoS 1 on the vehicle's native topic and returns once the broker's
PUBACK arrived; it reconnects with back-off and fails a publish (rather than queueing it) while the
broker is away, so the terminal gets no answer and retransmits. :class:`StoredConfirmer` goes one
step further for ``jt808_ack_after = stored``: it waits until the consumer committed the rows, looking
up all pending ``(vehicle, ts)`` keys of the process in one query at each commit the consumer
announces (``NOTIFY houqin_positions``), or every interval should no notification come.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import aiomqtt
import psycopg

from houqin_common.db import libpq_url
from telemetry_ingest.ingest.writer import POSITIONS_CHANNEL
from telemetry_ingest.jt808.metrics import GatewayMetrics
from telemetry_ingest.settings import Settings

log = logging.getLogger("telemetry_ingest.jt808")


class NotStored(Exception):
    """The position is not known to be safe: the terminal gets no success and retransmits."""


class Publisher:
    def __init__(self, settings: Settings, metrics: GatewayMetrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.client: aiomqtt.Client | None = None
        self.connected = asyncio.Event()
        self.stop = asyncio.Event()

    def _new_client(self) -> aiomqtt.Client:
        url = urlsplit(self.settings.mqtt_url)
        client = aiomqtt.Client(
            url.hostname or "127.0.0.1",
            url.port or 1883,
            identifier=self.settings.jt808_mqtt_client_id,
            username=self.settings.jt808_mqtt_username or self.settings.mqtt_username or url.username,
            password=self.settings.jt808_mqtt_password or self.settings.mqtt_password or url.password,
            keepalive=self.settings.mqtt_keepalive_s,
            timeout=self.settings.jt808_confirm_timeout_s,
            max_inflight_messages=1000,
            max_queued_outgoing_messages=0,
        )
        # every connection's reports wait on a PUBACK at the same time: that is the design, not a leak
        client.pending_calls_threshold = 1_000_000
        if not log.isEnabledFor(logging.DEBUG):
            client._client.disable_logger()  # paho logs every packet at DEBUG: a cost per message
        return client

    async def run(self) -> None:
        """Keep one broker connection up until :attr:`stop` is set."""
        attempt = 0
        while not self.stop.is_set():
            client = self._new_client()
            try:
                async with client:
                    self.metrics.broker_connects.labels("ok").inc()
                    attempt = 0
                    self.client = client
                    self.connected.set()
                    log.info("JT/T 808 gateway connected to the broker as %s", self.settings.jt808_mqtt_client_id)
                    disconnected: asyncio.Future[None] = client._disconnected
                    stop: asyncio.Future[Any] = asyncio.ensure_future(self.stop.wait())
                    watched: list[asyncio.Future[Any]] = [disconnected, stop]
                    try:
                        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        stop.cancel()
                    if disconnected.done() and not disconnected.cancelled():
                        log.warning("JT/T 808 gateway: broker connection lost (%s)", disconnected.exception())
            except aiomqtt.MqttError as exc:
                self.metrics.broker_connects.labels("failed").inc()
                log.warning("JT/T 808 gateway: broker connection lost or refused (%s)", exc)
            finally:
                self.connected.clear()
                self.client = None
            if self.stop.is_set():
                return
            delay = min(self.settings.retry_max_s, self.settings.retry_initial_s * 2**attempt) * random.uniform(0.5, 1)
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)

    async def publish(self, topic: str, payload: bytes) -> None:
        """Returns after the broker's PUBACK; raises :class:`NotStored` otherwise."""
        try:
            # one timeout for both steps; aiomqtt's own would wrap every publish in a task (wait_for)
            async with asyncio.timeout(self.settings.jt808_confirm_timeout_s):
                if not self.connected.is_set():
                    await self.connected.wait()
                client = self.client
                if client is None:
                    raise NotStored("no broker connection")
                await client.publish(topic, payload, qos=1, timeout=math.inf)
        except TimeoutError:
            raise NotStored("no PUBACK in time") from None
        except aiomqtt.MqttError as exc:
            raise NotStored(f"publish failed: {exc}") from None


Key = tuple[str, datetime]


class StoredConfirmer:
    """Waits until positions are committed, batching the look-ups of every connection."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pending: dict[Key, list[asyncio.Future[None]]] = {}
        self.wake = asyncio.Event()
        self.notified = asyncio.Event()
        self.conn: psycopg.AsyncConnection[tuple[str, datetime]] | None = None

    async def wait(self, keys: Sequence[Key]) -> None:
        """Returns when every key is in ``telemetry.position``; raises :class:`NotStored` on timeout."""
        loop = asyncio.get_running_loop()
        futures = []
        for key in keys:
            fut: asyncio.Future[None] = loop.create_future()
            self.pending.setdefault(key, []).append(fut)
            futures.append(fut)
        self.wake.set()
        try:
            async with asyncio.timeout(self.settings.jt808_confirm_timeout_s):
                if len(futures) == 1:
                    await futures[0]
                else:
                    await asyncio.gather(*futures)
        except TimeoutError:
            raise NotStored("positions not committed in time") from None
        finally:
            for key, fut in zip(keys, futures, strict=True):
                waiting = self.pending.get(key)
                if waiting is not None and fut in waiting:
                    waiting.remove(fut)
                    if not waiting:
                        del self.pending[key]

    async def _found(self, keys: list[Key]) -> list[Key]:
        if self.conn is None or self.conn.closed or self.conn.broken:
            self.conn = await psycopg.AsyncConnection.connect(
                libpq_url(self.settings.database_url),
                autocommit=True,
                connect_timeout=5,
                application_name="houqin-jt808",
            )
        cur = await self.conn.execute(
            "SELECT p.vehicle_id, p.ts FROM telemetry.position p "
            "JOIN unnest(%s::text[], %s::timestamptz[]) AS k(v, t) ON p.vehicle_id = k.v AND p.ts = k.t",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
        return await cur.fetchall()

    async def _listen(self) -> None:
        """Sets :attr:`notified` at every commit of positions (the consumer's ``NOTIFY``)."""
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    libpq_url(self.settings.database_url), autocommit=True, application_name="houqin-jt808-listen"
                )
                async with conn:
                    await conn.execute(f"LISTEN {POSITIONS_CHANNEL}")
                    self.notified.set()  # anything committed while not listening
                    async for _ in conn.notifies():
                        self.notified.set()
            except (psycopg.Error, OSError) as exc:
                log.warning("JT/T 808 gateway: LISTEN %s failed (%s); polling meanwhile", POSITIONS_CHANNEL, exc)
                await asyncio.sleep(1.0)

    async def run(self, stop: asyncio.Event) -> None:
        """Look pending keys up at each commit notification, or every interval when none comes."""
        interval = self.settings.jt808_confirm_interval_ms / 1000
        listener = asyncio.create_task(self._listen())
        try:
            while not stop.is_set():
                if not self.pending:
                    self.wake.clear()
                    await _first(self.wake.wait(), stop.wait())
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.notified.wait(), interval)
                self.notified.clear()
                keys = list(self.pending)
                try:
                    found = await self._found(keys)
                except (psycopg.Error, OSError) as exc:
                    log.warning("JT/T 808 gateway: cannot confirm stored positions (%s)", exc)
                    if self.conn is not None:
                        await self.conn.close()
                        self.conn = None
                    await _first(stop.wait(), asyncio.sleep(interval))
                    continue
                for vehicle_id, ts in found:
                    for fut in self.pending.pop((vehicle_id, ts), []):
                        if not fut.done():
                            fut.set_result(None)
        finally:
            listener.cancel()
            with contextlib.suppress(BaseException):
                await listener
            if self.conn is not None:
                await self.conn.close()


async def _first(*aws: Awaitable[Any]) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
