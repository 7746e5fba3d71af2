"""`houqin devices credentials`: Mosquitto's hash format, the ACL, and the real broker enforcing both."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
import yaml
from fastapi import FastAPI, Query

from houqin_common.clients import TelemetryClient
from houqin_common.embedded import free_port, port_open
from houqin_common.ops_cli import (
    Device,
    fetch_device_ids,
    mosquitto_hash,
    plan_credentials,
    read_passwd,
    render_passwd,
    verify_mosquitto_hash,
)

MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd")
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)


def test_hash_has_mosquittos_layout_and_verifies():
    hashed = mosquitto_hash("s3cret", salt=b"0123456789ab", iterations=101)
    assert re.fullmatch(r"\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}", hashed)
    assert verify_mosquitto_hash("s3cret", hashed)
    assert not verify_mosquitto_hash("S3cret", hashed)


@pytest.mark.skipif(MOSQUITTO_PASSWD is None, reason="mosquitto_passwd is not installed")
def test_hashes_of_the_real_mosquitto_passwd_verify(tmp_path):
    path = tmp_path / "passwd"
    subprocess.run([MOSQUITTO_PASSWD, "-b", "-c", str(path), "meter-M1", "pa ss:wörd"], check=True)
    hashed = read_passwd(path)["meter-M1"]
    assert verify_mosquitto_hash("pa ss:wörd", hashed)
    assert not verify_mosquitto_hash("password", hashed)


def test_plan_keeps_known_devices_adds_new_ones_and_revokes_the_unregistered():
    existing = {"meter-OLD": mosquitto_hash("x"), "meter-M1": mosquitto_hash("m1")}
    plan = plan_credentials(
        devices=[Device("meter", "M1"), Device("vehicle", "V-7"), Device("meter", "bad/id")],
        existing=existing,
        ingest_user="houqin-ingest",
        ingest_password="ingest-pw",
        share_group="houqin-ingest",
    )
    assert plan.passwd["meter-M1"] == existing["meter-M1"]
    assert [n[0] for n in plan.new] == ["vehicle-V-7"]
    assert verify_mosquitto_hash(plan.new[0][1], plan.passwd["vehicle-V-7"])
    assert plan.revoked == ["meter-OLD"]
    assert len(plan.skipped) == 1 and "bad/id" in plan.skipped[0]
    assert "user vehicle-V-7\ntopic write houqin/v1/vehicles/V-7/positions\n" in plan.acl
    assert "topic read $share/houqin-ingest/houqin/v1/#" in plan.acl
    assert "bad/id" not in plan.acl


def test_plan_is_stable_when_nothing_changed():
    first = plan_credentials(
        devices=[Device("meter", "M1")], existing={}, ingest_user="i", ingest_password="p", share_group="g"
    )
    again = plan_credentials(
        devices=[Device("meter", "M1")], existing=first.passwd, ingest_user="i", ingest_password="p", share_group="g"
    )
    assert again.passwd == first.passwd and not again.new and not again.revoked


def test_plan_refuses_to_lock_the_ingest_out():
    with pytest.raises(ValueError, match="ingest"):
        plan_credentials(devices=[], existing={}, ingest_user="i", ingest_password=None, share_group="g")


async def test_device_ids_are_read_across_pages():
    app = FastAPI()
    ids = [f"M{i:03d}" for i in range(23)]

    @app.get("/v1/meters")
    async def meters(limit: int = Query(50), offset: int = Query(0)) -> dict[str, object]:
        return {"items": [{"id": i} for i in ids[offset : offset + limit]], "total": len(ids), "limit": limit}

    transport = httpx.ASGITransport(app=app)
    async with TelemetryClient("http://telemetry", transport=transport) as client:
        assert await fetch_device_ids(client, "/v1/meters", page_size=5) == ids


# --- the real broker -------------------------------------------------------------------------------


def _broker_config(repo: Path, tmp: Path, port: int) -> Path:
    """deploy/mosquitto/mosquitto.conf with this test's port and files."""
    text = (repo / "deploy/mosquitto/mosquitto.conf").read_text(encoding="utf-8")
    text = text.replace("listener 1883", f"listener {port} 127.0.0.1")
    text = text.replace("/mosquitto/config/", f"{tmp}/").replace("/mosquitto/data/", f"{tmp}/data/")
    text = text.replace("log_dest stdout", f"log_dest file {tmp}/mosquitto.log")
    # as root, mosquitto would drop to its own user, who cannot read pytest's private temp folder
    text += f"\nuser {pwd.getpwuid(os.getuid()).pw_name}\n"
    (tmp / "data").mkdir()
    conf = tmp / "mosquitto.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


class Client:
    """A blocking paho client that records what it receives."""

    def __init__(self, port: int, username: str | None, password: str | None) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}")
        if username:
            self.client.username_pw_set(username, password)
        self.received: list[str] = []
        self.connected = threading.Event()
        self.reason: object = None
        self.subacks: set[int] = set()
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, msg: self.received.append(msg.topic)
        self.client.on_subscribe = lambda c, u, mid, codes, props: self.subacks.add(mid)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_connect(self, client: object, userdata: object, flags: object, reason: object, props: object) -> None:
        self.reason = reason
        self.connected.set()

    @property
    def accepted(self) -> bool:
        self.connected.wait(5)
        return not getattr(self.reason, "is_failure", True)

    def subscribe(self, topic: str) -> None:
        """Subscribe and return once the broker's SUBACK arrived: the subscription is in place.

        The broker writes to one client in order, so anything it had sent before this SUBACK has been
        handled (``on_message``) by then too: a SUBACK doubles as a barrier for negative checks.
        """
        result, mid = self.client.subscribe(topic, qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS
        wait_for(lambda: mid in self.subacks, f"SUBACK of {topic}")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def wait_for(predicate: object, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")
def test_the_real_broker_lets_each_device_publish_only_to_its_own_topic(repo, tmp_path):
    plan = plan_credentials(
        devices=[Device("meter", "M1"), Device("vehicle", "V1")],
        existing={},
        ingest_user="houqin-ingest",
        ingest_password="ingest-pw",
        share_group="houqin-ingest",
    )
    (tmp_path / "passwd").write_text(render_passwd(plan.passwd), encoding="utf-8")
    (tmp_path / "acl").write_text(plan.acl, encoding="utf-8")
    os.chmod(tmp_path / "passwd", 0o600)
    password = {user: pw for user, pw, _ in plan.new}
    port = free_port()
    broker = subprocess.Popen([str(MOSQUITTO), "-c", str(_broker_config(repo, tmp_path, port))])
    clients: list[Client] = []
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert broker.poll() is None, (tmp_path / "mosquitto.log").read_text()

        ingest = Client(port, "houqin-ingest", "ingest-pw")
        clients.append(ingest)
        assert ingest.accepted
        ingest.subscribe("$share/houqin-ingest/houqin/v1/#")
        anonymous = Client(port, None, None)
        wrong = Client(port, "meter-M1", "not-its-password")
        clients += [anonymous, wrong]
        assert not anonymous.accepted
        assert not wrong.accepted

        meter = Client(port, "meter-M1", password["meter-M1"])
        clients.append(meter)
        assert meter.accepted
        own = "houqin/v1/meters/M1/readings"
        # positive control first: the device's own topic reaches the ingest
        meter.client.publish(own, b"{}", qos=1).wait_for_publish(5)
        wait_for(lambda: ingest.received == [own], "the allowed publish")
        # then the forbidden ones, and a marker on the own topic: one publisher's messages reach a subscriber
        # in order, so once the marker is in, a forbidden message that got through would be in too
        meter.client.publish("houqin/v1/vehicles/V1/positions", b"{}", qos=1).wait_for_publish(5)
        meter.client.publish("houqin/v1/meters/M2/readings", b"{}", qos=1).wait_for_publish(5)
        meter.client.publish(own, b"{}", qos=1).wait_for_publish(5)
        wait_for(lambda: len(ingest.received) >= 2, "the marker")
        assert ingest.received == [own, own]

        # a device cannot read the others' data either
        spy = Client(port, "vehicle-V1", password["vehicle-V1"])
        clients.append(spy)
        assert spy.accepted
        spy.subscribe("houqin/v1/#")
        meter.client.publish(own, b"{}", qos=1).wait_for_publish(5)
        wait_for(lambda: len(ingest.received) == 3, "the publish the spy must not see")  # it was routed
        spy.subscribe("barrier/after")  # its SUBACK comes after anything already routed to the spy
        assert spy.received == []

        # the compose healthcheck of the broker, run against it
        compose = yaml.safe_load((repo / "deploy/compose.yaml").read_text(encoding="utf-8"))
        check = compose["services"]["mosquitto"]["healthcheck"]["test"][1].replace("$$", "$")
        check = check.replace("-p 1883", f"-p {port}")
        if shutil.which("mosquitto_sub"):
            assert subprocess.run(["sh", "-c", check], timeout=10).returncode == 0
    finally:
        for c in clients:
            c.close()
        broker.terminate()
        broker.wait(10)
