"""The JT/T 808 gateway end to end: terminals over real TCP, real Mosquitto, the real consumer process,
real PostgreSQL, positions read back over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as paho
import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.jt808 import codec
from telemetry_ingest.jt808.codec import MsgId, RegisterResult, Result
from telemetry_ingest.jt808.server import Gateway
from telemetry_ingest.settings import Settings
from telemetry_ingest.simulator.jt808 import Terminal

T0 = datetime(2026, 7, 6, 0, 30, tzinfo=UTC)  # 08:30 in Beijing


def new_phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def register_vehicle(kit: Any, database_url: str, phone: str) -> str:
    vehicle = kit.unique("v")
    kit.query(
        database_url,
        "INSERT INTO telemetry.vehicle (id, plate, terminal_phone) VALUES (%s, %s, %s) RETURNING id",
        (vehicle, "苏D" + "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5)), phone),
    )
    return vehicle


def loc(ts: datetime, *, lat: float = 31.8106, positioned: bool = True, **items: Any) -> codec.Location:
    status = codec.ACC_ON | (codec.POSITIONED if positioned else 0)
    return codec.Location(0, status, lat, 119.9741, 45, 52.3, 90, ts, **items)


@contextlib.asynccontextmanager
async def running_gateway(database_url: str, mqtt_url: str, **overrides: Any) -> AsyncIterator[Gateway]:
    # generous: a consumer process starting on a loaded machine must not turn into a retransmission
    overrides.setdefault("jt808_confirm_timeout_s", 120.0)
    settings = Settings(
        database_url=database_url,
        mqtt_url=mqtt_url,
        jt808_host="127.0.0.1",
        jt808_port=0,
        jt808_mqtt_client_id=f"jt808-test-{random.getrandbits(40):x}",
        **overrides,
    )
    gateway = Gateway(settings)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.close()


async def connect(gateway: Gateway, phone: str, edition: int = 2013) -> Terminal:
    terminal = Terminal(phone, edition=edition)
    await terminal.connect("127.0.0.1", gateway.port)
    return terminal


class TopicWatcher:
    """Sees what reaches the broker on one topic (the gateway's publishes)."""

    def __init__(self, mqtt_url: str, topic: str) -> None:
        url = urlsplit(mqtt_url)
        self.seen = threading.Event()
        self.subscribed = threading.Event()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"watch-{random.getrandbits(40):x}")
        self.client.on_message = lambda *_a: self.seen.set()
        self.client.on_subscribe = lambda *_a: self.subscribed.set()
        self.client.on_connect = lambda c, *_a: c.subscribe(topic, 1)
        self.client.connect(url.hostname or "127.0.0.1", url.port or 1883)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def positions(kit: Any, database_url: str, vehicle: str) -> list[tuple[Any, ...]]:
    return kit.query(
        database_url,
        "SELECT ts, lat, lon, speed_kmh, heading, altitude, ignition, satellites, odometer_km "
        "FROM telemetry.position WHERE vehicle_id = %s ORDER BY ts",
        (vehicle,),
    )


async def test_2013_terminal_registers_authenticates_and_its_reports_become_positions_after_commit(
    kit: Any, database_url: str, ingest_mqtt_url: str, service_client: Any, make_token: Any
) -> None:
    phone = new_phone()
    vehicle = register_vehicle(kit, database_url, phone)
    consumer = kit.consumer(database_url, ingest_mqtt_url)  # its session exists; the process starts later
    async with running_gateway(database_url, ingest_mqtt_url) as gateway:
        stranger = await connect(gateway, new_phone())
        refused = await stranger.register()
        assert codec.parse_register_response(refused.body)[1] == RegisterResult.NO_SUCH_TERMINAL
        await stranger.close()

        terminal = await connect(gateway, "0" + phone)  # 2013: 12 BCD digits, zero-padded
        early = await terminal.request(MsgId.LOCATION, codec.encode_location(loc(T0 - timedelta(hours=1))))
        assert early.result == Result.FAILURE  # not authenticated: nothing stored
        registered = await terminal.register()
        _, result, code = codec.parse_register_response(registered.body)
        assert result == RegisterResult.SUCCESS and code
        assert (await terminal.authenticate(code + "x")).result == Result.FAILURE
        assert (await terminal.authenticate(code)).result == Result.SUCCESS

        watcher = TopicWatcher(ingest_mqtt_url, f"houqin/v1/vehicles/{vehicle}/positions")
        try:
            assert await asyncio.to_thread(watcher.subscribed.wait, 10)
            answer = terminal.report(loc(T0, mileage_km=1234.5, fuel_l=45.6, signal=28, satellites=11))
            assert await asyncio.to_thread(watcher.seen.wait, 30)  # the broker has it (PUBACKed)...
            assert not answer.done()  # ...but no consumer committed it yet: no 0x8001
        finally:
            watcher.stop()
        consumer.start()
        reply = await asyncio.wait_for(answer, 120)
        assert reply.result == Result.SUCCESS
        assert [row[0] for row in positions(kit, database_url, vehicle)] == [T0]  # the row before the 0x8001

        # blind-area backfill: three reports stored while out of coverage, one without a valid fix
        backlog = [loc(T0 - timedelta(minutes=30 - i), lat=31.80 + i / 100) for i in range(3)]
        no_fix = loc(T0 - timedelta(minutes=20), positioned=False)
        [batch] = terminal.batch([*backlog, no_fix], backfill=True)
        assert (await asyncio.wait_for(batch, 30)).result == Result.SUCCESS
        rows = positions(kit, database_url, vehicle)
        assert [r[0] for r in rows] == [b.ts for b in backlog] + [T0]
        assert kit.query(
            database_url,
            "SELECT reason FROM telemetry.dead_letter WHERE source = 'jt808' AND topic = %s",
            (f"houqin/v1/vehicles/{vehicle}/positions",),
        ) == [("positioning not valid (status bit 1 clear)",)]

        client = await service_client("telemetry")
        headers = auth(make_token(Role.supervisor))
        page = (await client.get(f"/v1/vehicles/{vehicle}/positions", headers=headers)).json()
        assert page["total"] == 4
        newest = page["items"][0]
        assert newest["ts"].startswith("2026-07-06T00:30:00")
        assert (newest["lat"], newest["lon"], newest["speed_kmh"], newest["heading"]) == (31.8106, 119.9741, 52.3, 90)
        assert (newest["altitude"], newest["ignition"], newest["satellites"], newest["odometer_km"]) == (
            45,
            True,
            11,
            1234.5,
        )
        assert [i["lat"] for i in page["items"][1:]] == [31.82, 31.81, 31.80]

        state = (await client.get(f"/v1/vehicles/{vehicle}", headers=headers)).json()
        assert state["terminal_phone"] == phone
        assert state["terminal"]["protocol"] == "jt808-2013"
        assert state["terminal"]["connected"] is True
        assert state["terminal"]["last_seen_at"] is not None
        await terminal.close()
    assert consumer.terminate() == 0
    state = (await client.get(f"/v1/vehicles/{vehicle}", headers=headers)).json()
    assert state["terminal"]["connected"] is False


async def test_2019_terminal_retransmissions_and_sub_packages_store_each_position_once(
    kit: Any, database_url: str, ingest_mqtt_url: str
) -> None:
    phone = new_phone()
    vehicle = register_vehicle(kit, database_url, phone)
    consumer = kit.consumer(database_url, ingest_mqtt_url)
    consumer.start()
    async with running_gateway(database_url, ingest_mqtt_url) as gateway:
        terminal = await connect(gateway, phone, edition=2019)
        await terminal.login()
        report = loc(T0, satellites=9)
        first, again = terminal.report(report), terminal.report(report)  # a retransmission of the same report
        assert [(await asyncio.wait_for(f, 30)).result for f in (first, again)] == [Result.SUCCESS] * 2

        backlog = [loc(T0 - timedelta(minutes=i + 1), mileage_km=100 + i) for i in range(60)]
        parts = terminal.batch(backlog, backfill=True)
        assert len(parts) == 3  # the 0x0704 body exceeds 1023 bytes: sub-packages
        assert [(await asyncio.wait_for(p, 30)).result for p in parts] == [Result.SUCCESS] * 3

        # a frame with a wrong check code is answered with a message error; the connection goes on
        serial = terminal.next_serial()
        bad = bytearray(codec.build(MsgId.HEARTBEAT, phone, serial, b"", edition=2019))
        bad[-2] ^= 0xFF
        answer = terminal.expect(serial)
        terminal.write(bytes(bad))
        assert (await asyncio.wait_for(answer, 10)).result == Result.MESSAGE_ERROR
        assert (await terminal.request(MsgId.HEARTBEAT, b"")).result == Result.SUCCESS
        await terminal.close()
        sample = gateway.metrics.registry.get_sample_value
        assert sample("houqin_jt808_errors_total", {"kind": "frame"}) == 1
        assert sample("houqin_jt808_frames_total", {"msg": "0x0200"}) == 2
        assert sample("houqin_jt808_frames_total", {"msg": "0x0704"}) == 3
        assert sample("houqin_jt808_acks_total", {"result": "message_error"}) == 1
        # authentication, two reports, three sub-packages, one heartbeat
        assert sample("houqin_jt808_acks_total", {"result": "success"}) == 7
        assert sample("houqin_jt808_positions_total", {"outcome": "published"}) == 62
    rows = positions(kit, database_url, vehicle)
    assert len(rows) == 61
    assert rows[0][8] == 159 and rows[-1][7] == 9
    state = kit.query(
        database_url, "SELECT protocol FROM telemetry.terminal_connection WHERE vehicle_id = %s", (vehicle,)
    )
    assert state == [("jt808-2019",)]
    assert consumer.terminate() == 0


async def test_idle_connection_is_closed(kit: Any, database_url: str, ingest_mqtt_url: str) -> None:
    phone = new_phone()
    register_vehicle(kit, database_url, phone)
    async with running_gateway(database_url, ingest_mqtt_url, jt808_idle_timeout_s=0.5) as gateway:
        terminal = await connect(gateway, phone)
        await terminal.login()  # positive control: the connection works while it talks
        assert not terminal.closed.is_set()
        await asyncio.wait_for(terminal.closed.wait(), 10)
        await terminal.close()


async def test_a_connection_that_never_authenticates_is_closed(
    kit: Any, database_url: str, ingest_mqtt_url: str
) -> None:
    async with running_gateway(database_url, ingest_mqtt_url, jt808_max_unauthenticated_frames=5) as gateway:
        terminal = await connect(gateway, new_phone())
        for _ in range(5):  # positive control: answered while under the limit
            assert (await terminal.request(MsgId.HEARTBEAT, b"")).result == Result.SUCCESS
        terminal.send(MsgId.HEARTBEAT, b"")
        await asyncio.wait_for(terminal.closed.wait(), 10)
        await terminal.close()
        assert (
            gateway.metrics.registry.get_sample_value("houqin_jt808_errors_total", {"kind": "unauthenticated_flood"})
            == 1
        )


@pytest.mark.slow
async def test_broker_restart_while_a_terminal_streams_loses_nothing_acknowledged(
    kit: Any, database_url: str, tmp_path: Any
) -> None:
    """Mosquitto stops and starts (same persistence) mid-stream; reports the gateway could not hand over
    get no 0x8001, the terminal retransmits them, and every acknowledged report is stored exactly once."""
    from houqin_common.embedded import free_port

    if kit.mosquitto is None:
        pytest.skip("needs the mosquitto binary to restart a broker")  # pragma: no cover
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)
    try:
        phone = new_phone()
        vehicle = register_vehicle(kit, database_url, phone)
        consumer = kit.consumer(database_url, url, retry_initial_s="0.1", retry_max_s="1")  # the defaults
        consumer.start()
        async with running_gateway(
            database_url, url, retry_initial_s=0.1, retry_max_s=1.0, jt808_confirm_timeout_s=2.0
        ) as gateway:
            terminal = await connect(gateway, phone)
            await terminal.login()
            acked: list[datetime] = []
            unanswered = 0
            interrupted = asyncio.Event()
            window = asyncio.Semaphore(10)

            async def until_acknowledged(report: codec.Location) -> None:
                nonlocal unanswered
                async with window:
                    while True:
                        try:
                            reply = await asyncio.wait_for(terminal.report(report), 4)
                        except TimeoutError:
                            unanswered += 1  # the terminal's own retransmission
                            interrupted.set()
                            continue
                        if reply.result == Result.SUCCESS:
                            acked.append(report.ts)
                            return

            reports = [loc(T0 + timedelta(seconds=i)) for i in range(300)]
            await asyncio.wait_for(asyncio.gather(*(until_acknowledged(r) for r in reports[:100])), 60)
            await asyncio.to_thread(kit.stop_mosquitto, broker)
            interrupted.clear()  # a timeout of the first hundred (a loaded machine) is not the restart's
            # the stream goes on while the broker is down; it starts again only once a report went unanswered,
            # so the restart interrupts the stream however fast the first hundred went through
            stream = asyncio.gather(*(until_acknowledged(r) for r in reports[100:]))
            await asyncio.wait_for(interrupted.wait(), 60)
            broker = await asyncio.to_thread(kit.start_mosquitto, port, tmp_path)
            await asyncio.wait_for(stream, 120)
            await terminal.close()
        rows = [r[0] for r in positions(kit, database_url, vehicle)]
        assert sorted(acked) == rows == [r.ts for r in reports]  # every acknowledged report, once
        assert unanswered > 0  # the restart did interrupt the stream
        assert consumer.terminate() == 0
    finally:
        kit.stop_mosquitto(broker)


async def test_ack_after_broker_loses_nothing_when_the_broker_restarts_while_the_consumer_is_down(
    kit: Any, database_url: str, tmp_path: Any
) -> None:
    """``jt808_ack_after=broker`` answers 0x8001 at the broker's PUBACK; with the consumer's plain persistent
    subscription (the default) the broker keeps those reports across its restart until the consumer comes."""
    from houqin_common.embedded import free_port

    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)
    try:
        phone = new_phone()
        vehicle = register_vehicle(kit, database_url, phone)
        consumer = kit.consumer(database_url, url, retry_initial_s="0.1", retry_max_s="1")  # session, not started
        acked: list[datetime] = []
        async with running_gateway(
            database_url, url, retry_initial_s=0.1, retry_max_s=1.0, jt808_ack_after="broker"
        ) as gateway:
            terminal = await connect(gateway, phone)
            await terminal.login()

            async def until_acknowledged(report: codec.Location) -> None:
                while True:
                    try:
                        reply = await asyncio.wait_for(terminal.report(report), 4)
                    except TimeoutError:
                        continue  # the terminal's own retransmission
                    if reply.result == Result.SUCCESS:
                        acked.append(report.ts)
                        return

            reports = [loc(T0 + timedelta(seconds=i)) for i in range(60)]
            for r in reports[:30]:
                await until_acknowledged(r)
            old_pid = broker.pid
            await asyncio.to_thread(kit.stop_mosquitto, broker)
            broker = await asyncio.to_thread(kit.start_mosquitto, port, tmp_path)
            assert broker.pid != old_pid
            for r in reports[30:]:
                await until_acknowledged(r)
            await terminal.close()
        assert positions(kit, database_url, vehicle) == []  # answered before anything was stored
        consumer.start()
        kit.wait_until(lambda: len(positions(kit, database_url, vehicle)) >= 60, 180, "every report stored")
        rows = [r[0] for r in positions(kit, database_url, vehicle)]
        assert sorted(acked) == rows == [r.ts for r in reports]  # every answered report, once
        assert consumer.terminate() == 0
    finally:
        kit.stop_mosquitto(broker)


async def test_unsupported_messages_foreign_phone_numbers_and_logout(
    kit: Any, database_url: str, ingest_mqtt_url: str
) -> None:
    phone = new_phone()
    vehicle = register_vehicle(kit, database_url, phone)
    async with running_gateway(database_url, ingest_mqtt_url) as gateway:
        terminal = await connect(gateway, phone)
        await terminal.login()
        assert (await terminal.request(0x0900, b"\x41hello")).result == Result.UNSUPPORTED
        # a frame of another terminal on this authenticated connection is refused, not stored
        serial = terminal.next_serial()
        answer = terminal.expect(serial)
        report = codec.encode_location(loc(T0 + timedelta(days=1)))
        terminal.write(codec.build(MsgId.LOCATION, new_phone(), serial, report))
        assert (await asyncio.wait_for(answer, 10)).result == Result.FAILURE
        assert (await terminal.request(MsgId.HEARTBEAT, b"")).result == Result.SUCCESS  # positive control
        assert (await terminal.request(MsgId.LOGOUT, b"")).result == Result.SUCCESS
        await asyncio.wait_for(terminal.closed.wait(), 10)  # the gateway closed the connection
        await terminal.close()
    assert positions(kit, database_url, vehicle) == []
    state = kit.query(
        database_url, "SELECT connected FROM telemetry.terminal_connection WHERE vehicle_id = %s", (vehicle,)
    )
    assert state == [(False,)]
