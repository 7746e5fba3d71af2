"""Broker-restart drills: nothing a publisher got a PUBACK for is lost or stored twice, at one consumer or three.

Each drill runs a private Mosquitto with the project's ``houqin.conf`` and restarts it (SIGTERM, which
saves the persistence file, then a new process on the same port and data directory) while a publisher
sends at a steady pace. Losses are counted against the messages the publisher got a PUBACK for; the
positive controls show that the broker really restarted (a new PID, the consumers reconnected) and that
messages were in flight across the restart (PUBACKs before the stop and after the start, rows still
missing when the broker went down).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from houqin_common.embedded import free_port
from telemetry_ingest.ingest.partition import partition_of

BASE_MS = 1_780_000_000_000
#: 3,000 keeps each drill near a minute in CI; docs/mqtt.md's table ran 20,000 (HOUQIN_DRILL_MESSAGES=20000)
N = int(os.environ.get("HOUQIN_DRILL_MESSAGES", "3000"))


def messages(meters: list[str], n: int) -> list[tuple[str, bytes]]:
    return [
        (
            f"houqin/v1/meters/{meters[i % len(meters)]}/readings",
            json.dumps({"ts": BASE_MS + i * 60_000, "energy_kwh": 1000 + i * 0.5}).encode(),
        )
        for i in range(n)
    ]


@dataclass
class Publisher:
    """A device-like publisher (persistent session, QoS 1) at a steady pace; it reconnects on its own."""

    url: str
    msgs: list[tuple[str, bytes]]
    rate: float = 1_000.0
    gates_at: tuple[int, ...] = ()
    """Indexes at which the publisher waits until the test calls :meth:`release`."""
    acked_at: dict[int, float] = field(default_factory=dict)
    infos: list[paho.MQTTMessageInfo] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gates = {i: threading.Event() for i in self.gates_at}
        self.released = 0
        u = urlsplit(self.url)
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"drill-pub-{uuid.uuid4().hex[:8]}")
        self.client.max_inflight_messages_set(200)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(0.05, 0.5)
        self.client.on_publish = lambda _c, _u, mid, _rc, _p: self.acked_at.setdefault(mid, time.monotonic())
        self.client.connect(u.hostname or "127.0.0.1", u.port or 1883)
        self.client.loop_start()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        started = time.monotonic()
        for i, (topic, payload) in enumerate(self.msgs):
            if i in self.gates:
                self.gates[i].wait(60)
                started = time.monotonic() - i / self.rate
            ahead = started + i / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)  # pacing the load, not synchronisation
            self.infos.append(self.client.publish(topic, payload, qos=1))

    def release(self) -> None:
        self.gates[self.gates_at[self.released]].set()
        self.released += 1

    def acked(self) -> int:
        return len(self.acked_at)

    def finish(self, kit: Any) -> set[int]:
        """Indexes of the messages the broker acknowledged, once every message was acknowledged."""
        self.thread.join(60)
        # a message published while the broker was away is sent on reconnection (its info says NO_CONN)
        kit.wait_until(lambda: all(i.mid in self.acked_at for i in self.infos), 60, "PUBACK of every message")
        self.client.disconnect()
        self.client.loop_stop()
        return {i for i, info in enumerate(self.infos) if info.mid in self.acked_at}


def consuming(kit: Any, consumer: Any) -> None:
    """Wait until the consumer process has connected and subscribed (its metrics say so)."""

    def connected() -> bool:
        try:
            return bool(consumer.metrics().get("houqin_ingest_mqtt_connects_total{outcome=ok}", 0) >= 1)
        except (OSError, httpx.HTTPError):
            return False

    # generous: on a loaded CI runner importing the worker alone can take half a minute
    kit.wait_until(connected, 180, "the consumer's first connection")


def stored(kit: Any, url: str, meters: list[str]) -> list[int]:
    """Indexes of the stored messages, one per row (a duplicate would appear twice)."""
    rows = kit.query(url, "SELECT ts FROM telemetry.reading WHERE meter_id = ANY(%s)", (meters,))
    return [round(ts.timestamp() * 1000 - BASE_MS) // 60_000 for (ts,) in rows]


def restart_broker(kit: Any, broker: Any, port: int, data: Path, pub: Publisher) -> tuple[Any, float, float]:
    """Stop the broker (it saves its persistence file), let the publisher go on, start a new broker."""
    old_pid = broker.pid
    stopped_at = time.monotonic()
    kit.stop_mosquitto(broker)
    assert broker.poll() is not None
    pub.release()  # these messages wait in the publisher and go out on its reconnection
    broker = kit.start_mosquitto(port, data)
    assert broker.pid != old_pid  # a new broker process, restored from the persistence file
    return broker, stopped_at, time.monotonic()


def in_flight_across(pub: Publisher, stopped_at: float, started_at: float) -> None:
    before = sum(1 for t in pub.acked_at.values() if t < stopped_at)
    after = sum(1 for t in pub.acked_at.values() if t > started_at)
    assert before > 0 and after > 0, (before, after)


def check(kit: Any, url: str, meters: list[str], acked: set[int], n: int) -> None:
    rows = stored(kit, url, meters)
    lost = acked - set(rows)
    duplicated = len(rows) - len(set(rows))
    print(f"DRILL published {n} acked {len(acked)} stored {len(rows)} lost {len(lost)} duplicated {duplicated}")
    assert (len(lost), duplicated) == (0, 0), f"lost {len(lost)}, duplicated {duplicated}"
    assert len(acked) == n  # the publisher got every PUBACK: the drill counted every message


def test_broker_restart_with_the_consumer_connected_loses_nothing(kit: Any, database_url: str, tmp_path: Path) -> None:
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)
    meters = [kit.unique("m") for _ in range(5)]
    kit.register(database_url, meters=meters)
    consumer = kit.consumer(database_url, url, retry_initial_s="0.1", retry_max_s="0.5")  # the defaults otherwise
    consumer.start()
    try:
        consuming(kit, consumer)
        pub = Publisher(url, messages(meters, N), gates_at=(N // 2,))
        kit.wait_until(lambda: len(stored(kit, database_url, meters)) >= N // 4, 60, "a quarter stored")
        broker, stopped_at, started_at = restart_broker(kit, broker, port, tmp_path, pub)
        assert len(stored(kit, database_url, meters)) < N  # the stream was still running
        acked = pub.finish(kit)
        kit.wait_until(lambda: len(stored(kit, database_url, meters)) >= N, 90, "every row")
        in_flight_across(pub, stopped_at, started_at)
        assert consumer.metrics()["houqin_ingest_mqtt_connects_total{outcome=ok}"] >= 2  # it reconnected
        assert consumer.terminate() == 0
        check(kit, database_url, meters, acked, N)
    finally:
        kit.stop_mosquitto(broker)


def test_broker_restart_while_the_consumer_is_down_then_started_loses_nothing(
    kit: Any, database_url: str, tmp_path: Path
) -> None:
    """A host reboot: consumer stopped, broker restarted under load, consumer started again."""
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)
    meters = [kit.unique("m") for _ in range(5)]
    kit.register(database_url, meters=meters)
    consumer = kit.consumer(database_url, url, retry_initial_s="0.1", retry_max_s="0.5")
    consumer.start()
    try:
        consuming(kit, consumer)
        pub = Publisher(url, messages(meters, N), gates_at=(N // 3, N * 2 // 3))
        kit.wait_until(lambda: len(stored(kit, database_url, meters)) >= N // 5, 60, "a fifth stored")
        assert consumer.terminate() == 0
        down_with = len(stored(kit, database_url, meters))
        pub.release()
        kit.wait_until(lambda: pub.acked() >= N * 2 // 3, 60, "messages queued for the stopped consumer")
        assert pub.acked() > down_with
        broker, stopped_at, started_at = restart_broker(kit, broker, port, tmp_path, pub)
        kit.wait_until(lambda: pub.acked() >= N * 3 // 4, 60, "messages published after the restart")
        assert len(stored(kit, database_url, meters)) == down_with  # the consumer really was down
        consumer.start()
        acked = pub.finish(kit)
        kit.wait_until(lambda: len(stored(kit, database_url, meters)) >= N, 90, "every row")
        in_flight_across(pub, stopped_at, started_at)
        assert consumer.terminate() == 0
        check(kit, database_url, meters, acked, N)
    finally:
        kit.stop_mosquitto(broker)


def test_three_partitioned_consumers_broker_restart_and_one_killed_lose_nothing(
    kit: Any, database_url: str, tmp_path: Path
) -> None:
    """Three consumers as the StatefulSet runs them (client ids ending in their ordinal, three partitions);
    the broker restarts mid-stream, then one consumer is SIGKILLed and comes back later."""
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)
    meters = [kit.unique("m") for _ in range(12)]
    owners = {partition_of(f"houqin/v1/meters/{m}/readings", 3) for m in meters}
    assert owners == {0, 1, 2}  # every consumer owns some of the devices
    kit.register(database_url, meters=meters)
    base = kit.unique("telemetry-consumer")
    consumers = [
        kit.consumer(
            database_url,
            url,
            mqtt_client_id=f"{base}-{k}",
            mqtt_partitions="3",
            retry_initial_s="0.1",
            retry_max_s="0.5",
        )
        for k in range(3)
    ]
    for c in consumers:
        c.start()
    try:
        for c in consumers:
            consuming(kit, c)
        pub = Publisher(url, messages(meters, N), gates_at=(N // 2,))
        kit.wait_until(lambda: len(stored(kit, database_url, meters)) >= N // 5, 60, "a fifth stored")
        broker, stopped_at, started_at = restart_broker(kit, broker, port, tmp_path, pub)
        kit.wait_until(lambda: pub.acked() >= N * 3 // 5, 60, "three fifths published")
        consumers[1].kill()  # SIGKILL: its uncommitted messages stay unacknowledged in its own session
        kit.wait_until(lambda: pub.acked() >= N * 3 // 4, 60, "three quarters published")
        consumers[1].start()
        acked = pub.finish(kit)
        kit.wait_until(lambda: len(stored(kit, database_url, meters)) >= N, 90, "every row")
        in_flight_across(pub, stopped_at, started_at)
        shares = [c.metrics().get("houqin_ingest_messages_total{outcome=stored,source=mqtt}", 0) for c in consumers]
        assert all(0 < s < N for s in shares), shares  # each stored its partition, none stored everything
        for c in consumers:
            assert c.terminate() == 0
        check(kit, database_url, meters, acked, N)
    finally:
        kit.stop_mosquitto(broker)
