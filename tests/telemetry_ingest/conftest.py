"""Fixtures of the telemetry-ingest tests: a Mosquitto with the project's config, devices, the consumer.

The system Mosquitto on :1883 runs with defaults (max_queued_messages 1000, max_inflight_messages
20) that silently drop a backlog; the consumer and fault tests use ``ingest_mqtt_url``: a private
``mosquitto`` started from ``services/telemetry-ingest/mosquitto/houqin.conf`` on a free port. Without
the binary they FAIL with the reason (``scripts/ensure-mosquitto.sh`` installs it): falling back to
whatever ``TEST_MQTT_URL`` names (possibly amqtt, which loses messages) would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import psycopg
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import create_engine, libpq_url, make_sessionmaker
from houqin_common.embedded import free_port

REPO = Path(__file__).resolve().parents[2]
BROKER_CONF = REPO / "services/telemetry-ingest/mosquitto/houqin.conf"
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)


def broker_config(port: int, data_dir: Path) -> str:
    """The shipped config with the listener on ``port`` and persistence under ``data_dir``."""
    lines = []
    for line in BROKER_CONF.read_text().splitlines():
        key = line.split(" ", 1)[0]
        if key == "listener":
            line = f"listener {port} 127.0.0.1"
        elif key == "persistence_location":
            line = f"persistence_location {data_dir}/"
        lines.append(line)
    # run as root under the test harness keeps root: the persistence file lives in a private temp dir
    # the `mosquitto` user could not write to (the broker would then silently lose sessions on restart)
    lines.append("user root")
    return "\n".join(lines) + "\n"


def start_mosquitto(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    """A Mosquitto with the shipped config on ``port``; returns once it accepts connections."""
    assert MOSQUITTO is not None
    conf = data_dir / "houqin.conf"
    conf.write_text(broker_config(port, data_dir))
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mosquitto exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("mosquitto did not start")


def stop_mosquitto(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()  # Mosquitto saves its persistence file on a clean exit
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def ingest_mqtt_url() -> Iterator[str]:
    if MOSQUITTO is None:
        pytest.fail(
            "the ingest tests need the mosquitto binary with the project's config (run scripts/ensure-mosquitto.sh);"
            " they refuse to fall back to TEST_MQTT_URL, which may be amqtt"
        )
    tmp = Path(tempfile.mkdtemp(prefix="houqin-mosquitto-"))
    port = free_port()
    proc = start_mosquitto(port, tmp)
    try:
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        stop_mosquitto(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def register_devices(database_url: str, *, meters: Sequence[str] = (), vehicles: Sequence[str] = ()) -> None:
    """Insert registry rows directly (the registry API has its own tests)."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        for m in meters:
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type, sub_item) "
                "VALUES (%s, %s, 'A', '01000', '01A10')",
                (m, m),
            )
        for v in vehicles:
            conn.execute("INSERT INTO telemetry.vehicle (id, plate) VALUES (%s, %s)", (v, "T" + uuid.uuid4().hex[:10]))


class ConsumerProcess:
    """The real `mqtt-consumer` worker as a child process (killable with SIGKILL)."""

    def __init__(self, database_url: str, mqtt_url: str, **settings: str) -> None:
        self.env = {
            **os.environ,
            "HOUQIN_DATABASE_URL": database_url,
            "HOUQIN_MQTT_URL": mqtt_url,
            "HOUQIN_LOG_JSON": "false",
            "HOUQIN_LOG_LEVEL": "WARNING",
            **{f"HOUQIN_TELEMETRY_{k.upper()}": v for k, v in settings.items()},
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "telemetry_ingest.ingest.consumer"], env=self.env, cwd=REPO)

    def metrics(self) -> dict[str, float]:
        """The worker's own Prometheus counters (needs ``worker_metrics_port``): what the consumer did."""
        import httpx
        from prometheus_client.parser import text_string_to_metric_families

        port = self.env["HOUQIN_TELEMETRY_WORKER_METRICS_PORT"]
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        out: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
        return out

    def wait(self, timeout: float = 60) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def terminate(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.terminate()
        return self.proc.wait(timeout)


def publish(mqtt_url: str, messages: Sequence[tuple[str, bytes]], qos: int = 1) -> None:
    """Publish and wait until the broker has every message (PUBACK for QoS 1)."""
    from urllib.parse import urlsplit

    url = urlsplit(mqtt_url)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=unique("test-pub"))
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=qos) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(60)
    finally:
        client.disconnect()
        client.loop_stop()


def query(database_url: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def wait_until(predicate: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def create_session(mqtt_url: str, client_id: str, group: str, shared: bool = False) -> None:
    """Create the consumer's persistent session and its subscriptions, as a deployed ingest has them.

    From then on the broker queues messages for it whether or not the consumer process runs.
    """
    from urllib.parse import urlsplit

    from telemetry_ingest.ingest.validation import SUBSCRIPTIONS

    url = urlsplit(mqtt_url)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    client.loop_start()
    subscribed: list[int] = []
    client.on_subscribe = lambda *a: subscribed.append(a[2])
    try:
        prefix = f"$share/{group}/" if shared else ""
        result, _mid = client.subscribe([(prefix + t, 1) for t in SUBSCRIPTIONS])
        assert result == paho.MQTT_ERR_SUCCESS
        deadline = time.monotonic() + 10
        while not subscribed and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.disconnect()
        client.loop_stop()


class Kit:
    """What the ingest tests share (test modules cannot import conftest under importlib mode)."""

    mosquitto = MOSQUITTO
    start_mosquitto = staticmethod(start_mosquitto)
    stop_mosquitto = staticmethod(stop_mosquitto)
    unique = staticmethod(unique)
    register = staticmethod(register_devices)
    publish = staticmethod(publish)
    query = staticmethod(query)
    wait_until = staticmethod(wait_until)

    def __init__(self) -> None:
        self.consumers: list[ConsumerProcess] = []

    def consumer(self, database_url: str, mqtt_url: str, **settings: str) -> ConsumerProcess:
        """A consumer process with its own client id and share group (tests never steal each other's messages)."""
        settings.setdefault("mqtt_client_id", unique("ingest"))
        settings.setdefault("mqtt_share_group", unique("group"))
        settings.setdefault("unknown_device_recheck_s", "0")
        settings.setdefault("worker_metrics_port", str(free_port()))
        shared = settings.get("mqtt_shared", "false") == "true"
        create_session(mqtt_url, settings["mqtt_client_id"], settings["mqtt_share_group"], shared)
        proc = ConsumerProcess(database_url, mqtt_url, **settings)
        self.consumers.append(proc)
        return proc


@pytest.fixture
def kit() -> Iterator[Kit]:
    k = Kit()
    yield k
    for p in k.consumers:
        p.kill()


@pytest_asyncio.fixture
async def session(seeded: str) -> AsyncIterator[AsyncSession]:
    """A session on the module's own ``seeded`` database (each rollup test module fills one of its own)."""
    engine = create_engine(seeded, pool_size=1)
    async with make_sessionmaker(engine)() as s:
        yield s
    await engine.dispose()
