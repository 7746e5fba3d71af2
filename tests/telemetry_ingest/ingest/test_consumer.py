"""The MQTT pipeline end to end: real Mosquitto, real PostgreSQL, the consumer as a child process."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.db import libpq_url
from support import auth

BASE_MS = 1_780_000_000_000  # 2026-05-28, device time of the generated series


def reading_msgs(meter: str, n: int, start: int = 0) -> list[tuple[str, bytes]]:
    return [
        (
            f"houqin/v1/meters/{meter}/readings",
            json.dumps({"ts": BASE_MS + i * 60_000, "energy_kwh": 1000 + i * 0.5, "power_kw": 30 + i % 7}).encode(),
        )
        for i in range(start, start + n)
    ]


def position_msgs(vehicle: str, n: int) -> list[tuple[str, bytes]]:
    return [
        (
            f"houqin/v1/vehicles/{vehicle}/positions",
            json.dumps(
                {"ts": BASE_MS + i * 10_000, "lat": 31.81 + i * 1e-5, "lon": 119.97 - i * 1e-5, "speed_kmh": i % 60}
            ).encode(),
        )
        for i in range(n)
    ]


def count(kit: Any, url: str, table: str, column: str, device: str) -> int:
    return int(kit.query(url, f"SELECT count(*) FROM telemetry.{table} WHERE {column} = %s", (device,))[0][0])


def check_readings_exact(kit: Any, url: str, meter: str, n: int) -> None:
    """Every published reading stored once, with the published content."""
    rows = kit.query(
        url, "SELECT ts, energy_kwh, power_kw FROM telemetry.reading WHERE meter_id = %s ORDER BY ts", (meter,)
    )
    assert len(rows) == n
    for i, (ts, energy, power) in enumerate(rows):
        assert ts == datetime.fromtimestamp((BASE_MS + i * 60_000) / 1000, UTC)
        assert energy == 1000 + i * 0.5
        assert power == 30 + i % 7


async def test_published_reading_and_position_are_readable_through_the_api(
    kit: Any, database_url: str, ingest_mqtt_url: str, service_client: Any, make_token: Any
) -> None:
    meter, vehicle = kit.unique("m"), kit.unique("v")
    kit.register(database_url, meters=[meter], vehicles=[vehicle])
    consumer = kit.consumer(database_url, ingest_mqtt_url)
    consumer.start()
    kit.publish(
        ingest_mqtt_url,
        [
            (f"houqin/v1/meters/{meter}/readings", b'{"ts": "2026-11-27T08:00:00+08:00", "energy_kwh": 12.5}'),
            (
                f"houqin/v1/vehicles/{vehicle}/positions",
                json.dumps(
                    {"ts": BASE_MS, "lat": 31.81, "lon": 119.97, "speed_kmh": 42, "heading": 90, "ignition": True}
                ).encode(),
            ),
        ],
    )
    kit.wait_until(
        lambda: (
            count(kit, database_url, "reading", "meter_id", meter) == 1
            and count(kit, database_url, "position", "vehicle_id", vehicle) == 1
        ),
        30,
        "both rows",
    )
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    readings = (await client.get(f"/v1/meters/{meter}/readings", headers=headers)).json()
    assert readings["total"] == 1
    assert readings["items"][0]["energy_kwh"] == 12.5
    assert readings["items"][0]["ts"].startswith("2026-11-27T00:00:00")
    assert readings["items"][0]["received_at"] >= "2026"
    positions = (await client.get(f"/v1/vehicles/{vehicle}/positions", headers=headers)).json()
    assert positions["items"][0]["lat"] == 31.81
    assert positions["items"][0]["ignition"] is True
    assert positions["items"][0]["speed_kmh"] == 42
    assert consumer.terminate() == 0


def test_repeated_messages_and_arrays_with_duplicates_store_once(
    kit: Any, database_url: str, ingest_mqtt_url: str
) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    consumer = kit.consumer(database_url, ingest_mqtt_url)
    consumer.start()
    msgs = reading_msgs(meter, 20)
    backlog = [json.loads(p) for _t, p in msgs[:10]]
    kit.publish(ingest_mqtt_url, msgs + msgs + [(msgs[0][0], json.dumps(backlog + backlog).encode())])
    kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) == 20, 30, "20 readings")

    def handled() -> float:
        return consumer.metrics().get("houqin_ingest_messages_total{outcome=stored,source=mqtt}", 0.0)

    kit.wait_until(lambda: handled() == 41, 30, "41 messages handled")
    # the primary key cannot hold duplicates: what matters is that the consumer saw them and inserted nothing
    metrics = consumer.metrics()
    assert metrics["houqin_ingest_rows_total{outcome=inserted,series=reading}"] == 20
    assert metrics["houqin_ingest_rows_total{outcome=duplicate,series=reading}"] == 40
    assert consumer.terminate() == 0
    check_readings_exact(kit, database_url, meter, 20)


def test_sigterm_flushes_and_exits_zero(kit: Any, database_url: str, ingest_mqtt_url: str) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    # batches of 3 that never age: 3 rows are committed, the other 2 only by the shutdown flush
    consumer = kit.consumer(database_url, ingest_mqtt_url, batch_max_size="3", batch_max_age_ms="600000")
    consumer.start()
    kit.publish(ingest_mqtt_url, reading_msgs(meter, 5))
    kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) == 3, 30, "the first batch")
    assert consumer.terminate() == 0  # the other 2 can only be committed by the shutdown flush (age 600 s)
    check_readings_exact(kit, database_url, meter, 5)


PAD = b"x" * 300_000
#: (topic under houqin/v1/ or the ThingsBoard topic, payload, fragment of the dead letter's reason)
CORPUS: list[tuple[str, bytes, str]] = [
    ("meters/{m}/readings", b"{not json", "not JSON"),
    ("meters/{m}/readings", b"\xff\xfe\x00garbage", "not UTF-8"),
    ("meters/{m}/readings", '{"ts": 1780000000000, "energy_kwh": 1}'.encode("utf-16"), "not UTF-8"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": "12"}', "energy_kwh: must be a number"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": NaN}', "non-finite"),
    ("vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": Infinity, "lon": 119.9}', "non-finite"),
    ("vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": 91.5, "lon": 119.9}', "lat: must be at most 90"),
    ("vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": 31.8, "lon": -181}', "lon: must be at least -180"),
    ("vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": 91, "lat": 31.8, "lon": 1}', "duplicate key"),
    ("meters/{u}/readings", b'{"ts": 1780000000000, "energy_kwh": 1}', "not registered"),
    ("meters/{m}/readings", b'{"meter_id": "someone-else", "ts": 1780000000000, "energy_kwh": 1}', "topic is for"),
    ("vehicles/{m}/positions", b'{"ts": 1780000000000, "lat": 31.8, "lon": 119.9}', "not a vehicle"),
    ("meters/{m}/readings", b'{"ts": "2099-01-01T00:00:00Z", "energy_kwh": 1}', "ahead of receipt time"),
    ("meters/{m}/readings", b'{"ts": "2026-01-01T00:00:00", "energy_kwh": 1}', "UTC offset"),
    ("meters/{m}/readings", b'{"ts": 1780000000000}', "needs energy_kwh"),
    ("meters/{m}/readings", b"[1, 2, 3]", "expected a JSON object"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "pad": "' + PAD + b'"}', "exceeds"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "ch\\u0000": 2}', "U+0000"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "s": "a\\u0000"}', "U+0000"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "\\ud800": 2}', "lone surrogate"),
    ("v1/gateway/telemetry", b'{"{m}\\ud800": [{"ts": 1780000000000, "values": {"energy_kwh": 1}}]}', "lone surrogate"),
    ("meters/{m}/readings", b'{"ts": 1' + b"0" * 400 + b', "energy_kwh": 1}', "not epoch milliseconds"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": 1' + b"0" * 400 + b"}", "must be a number"),
    ("meters/{m}/readings", b'{"ts": 1780000000000, "kvar": 1' + b"0" * 40 + b"}", "too large"),
    ("meters/{m}/readings/extra", b'{"ts": 1780000000000, "energy_kwh": 1}', "not part of the contract"),
    ("alarms/{m}", b'{"ts": 1780000000000}', "not part of the contract"),
    # valid for the contract, refused by the database (a CHECK this test adds): found by splitting the batch
    ("meters/{m}/readings", b'{"ts": 1780000000001, "power_kw": 666}', "database refused"),
]


def _topic(template: str, **ids: str) -> str:
    topic = template.replace("{m}", ids["m"]).replace("{v}", ids["v"]).replace("{u}", ids["u"])
    return topic if topic.startswith("v1/") else f"houqin/v1/{topic}"


async def test_corpus_of_bad_messages_each_a_dead_letter_while_valid_traffic_is_stored_once(
    kit: Any, fresh_database_url: str, ingest_mqtt_url: str
) -> None:
    url = fresh_database_url
    meter, tb_meter, vehicle, unknown = kit.unique("m"), kit.unique("tb"), kit.unique("v"), kit.unique("ghost")
    kit.register(url, meters=[meter, tb_meter], vehicles=[vehicle])
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("ALTER TABLE telemetry.reading ADD CONSTRAINT poison CHECK (power_kw IS DISTINCT FROM 666)")
    consumer = kit.consumer(url, ingest_mqtt_url, batch_max_size="50")
    consumer.start()
    valid = reading_msgs(meter, 30)
    bad = [(_topic(t, m=meter, v=vehicle, u=unknown), p.replace(b"{m}", meter.encode())) for t, p, _r in CORPUS]
    # the ThingsBoard SDK's plain shape: no ts, so the receipt time (valid)
    tb = ("v1/gateway/telemetry", json.dumps({tb_meter: [{"energy_kwh": 5}]}).encode())
    interleaved: list[tuple[str, bytes]] = [tb]
    for i, msg in enumerate(valid):
        interleaved.append(msg)
        if i < len(bad):
            interleaved.append(bad[i])
    before = clock.now()
    kit.publish(ingest_mqtt_url, interleaved)

    def dead() -> list[tuple[Any, ...]]:
        return kit.query(url, "SELECT topic, payload, reason FROM telemetry.dead_letter ORDER BY id")

    kit.wait_until(
        lambda: len(dead()) >= len(CORPUS) and count(kit, url, "reading", "meter_id", meter) == 30,
        60,
        "dead letters and valid readings",
    )
    stored = dead()
    assert len(stored) == len(CORPUS)
    reasons = {(t, bytes(p)): r for t, p, r in stored}
    for (topic, payload), (_tpl, _p, fragment) in zip(bad, CORPUS, strict=True):
        kept = payload[:262_144]  # an oversize payload is kept up to the limit, not whole
        assert (topic, kept) in reasons, (topic, payload[:80])
        assert fragment in reasons[topic, kept], (payload[:80], reasons[topic, kept])
    check_readings_exact(kit, url, meter, 30)
    tb_rows = kit.query(
        url, "SELECT ts, received_at, energy_kwh FROM telemetry.reading WHERE meter_id = %s", (tb_meter,)
    )
    assert len(tb_rows) == 1 and tb_rows[0][0] == tb_rows[0][1] and tb_rows[0][0] >= before
    # the same process throughout, one connection (no crash loop), and it counted what it did
    metrics = consumer.metrics()
    assert consumer.proc is not None and consumer.proc.poll() is None
    assert metrics["houqin_ingest_mqtt_connects_total{outcome=ok}"] == 1
    assert metrics["houqin_ingest_db_refused_total"] == 1
    assert metrics["houqin_ingest_messages_total{outcome=dead_letter,source=mqtt}"] == len(CORPUS)
    assert metrics["houqin_ingest_messages_total{outcome=stored,source=mqtt}"] == 31
    assert consumer.terminate() == 0


def test_a_batch_waiting_on_a_lock_is_not_acknowledged_before_its_commit(
    kit: Any, fresh_database_url: str, ingest_mqtt_url: str
) -> None:
    """Deterministic ack-after-commit: the batch is received and blocked on a table lock when the consumer
    is killed; nothing was committed, so nothing may have been acknowledged: a restart stores every row."""
    url = fresh_database_url
    meter = kit.unique("m")
    kit.register(url, meters=[meter])
    consumer = kit.consumer(url, ingest_mqtt_url)
    consumer.start()
    kit.publish(ingest_mqtt_url, reading_msgs(meter, 1))  # positive control: the consumer stores
    kit.wait_until(lambda: count(kit, url, "reading", "meter_id", meter) == 1, 30, "the first reading")
    with psycopg.connect(libpq_url(url)) as locker:
        locker.execute("LOCK TABLE telemetry.reading IN EXCLUSIVE MODE")  # reads pass, writes wait
        kit.publish(ingest_mqtt_url, reading_msgs(meter, 200, start=1))

        def waiting() -> bool:
            return bool(
                kit.query(
                    url,
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = 'houqin-ingest' "
                    "AND datname = current_database() AND wait_event_type = 'Lock'",
                )
            )

        kit.wait_until(waiting, 30, "the batch to wait on the lock")
        consumer.kill()
        locker.rollback()
    assert count(kit, url, "reading", "meter_id", meter) == 1
    consumer.start()
    kit.wait_until(lambda: count(kit, url, "reading", "meter_id", meter) == 201, 60, "every row after the restart")
    assert consumer.terminate() == 0
    check_readings_exact(kit, url, meter, 201)


def test_a_flood_of_dead_letters_stops_the_consumer_loudly_and_leaves_the_batch_in_the_broker(
    kit: Any, fresh_database_url: str, ingest_mqtt_url: str
) -> None:
    url = fresh_database_url
    meter = kit.unique("m")
    kit.register(url, meters=[meter])
    consumer = kit.consumer(url, ingest_mqtt_url, dead_letter_max_consecutive="5", batch_max_age_ms="2000")
    consumer.start()
    kit.publish(ingest_mqtt_url, reading_msgs(meter, 1))  # positive control: valid traffic is stored
    kit.wait_until(lambda: count(kit, url, "reading", "meter_id", meter) == 1, 30, "the first reading")
    flood = [(f"houqin/v1/meters/{meter}/readings", f'{{"junk": {i}'.encode()) for i in range(8)]
    kit.publish(ingest_mqtt_url, flood)
    assert consumer.wait(60) == 3  # exit status of a dead-letter flood
    stopped_with = int(kit.query(url, "SELECT count(*) FROM telemetry.dead_letter")[0][0])
    assert stopped_with < 8
    # raised cap: the messages the broker kept are delivered again, each stored once as a dead letter
    consumer.env["HOUQIN_TELEMETRY_DEAD_LETTER_MAX_CONSECUTIVE"] = "100"
    consumer.start()
    kit.wait_until(lambda: int(kit.query(url, "SELECT count(*) FROM telemetry.dead_letter")[0][0]) >= 8, 30, "8")
    assert consumer.terminate() == 0
    payloads = sorted(bytes(r[0]) for r in kit.query(url, "SELECT payload FROM telemetry.dead_letter"))
    assert payloads == sorted(p for _t, p in flood)


async def test_thingsboard_and_http_batch_store_the_same_rows_as_native_topics(
    kit: Any, database_url: str, ingest_mqtt_url: str, service_client: Any, make_token: Any
) -> None:
    meters = [kit.unique("m") for _ in range(3)]
    vehicles = [kit.unique("v") for _ in range(3)]
    kit.register(database_url, meters=meters, vehicles=vehicles)
    reading = {"ts": BASE_MS, "energy_kwh": 77.25, "power_kw": 3.5, "voltage_v": 229.8}
    position = {"ts": BASE_MS, "lat": 31.8123, "lon": 119.9745, "speed_kmh": 35.5, "heading": 180, "satellites": 12}
    consumer = kit.consumer(database_url, ingest_mqtt_url)
    consumer.start()
    kit.publish(
        ingest_mqtt_url,
        [
            (f"houqin/v1/meters/{meters[0]}/readings", json.dumps(reading).encode()),
            (f"houqin/v1/vehicles/{vehicles[0]}/positions", json.dumps(position).encode()),
            (
                "v1/gateway/telemetry",
                json.dumps(
                    {
                        meters[1]: [{"ts": BASE_MS, "values": {k: v for k, v in reading.items() if k != "ts"}}],
                        vehicles[1]: [{"ts": BASE_MS, "values": {k: v for k, v in position.items() if k != "ts"}}],
                    }
                ).encode(),
            ),
        ],
    )
    client = await service_client("telemetry")
    body = {"readings": [{"meter_id": meters[2], **reading}], "positions": [{"vehicle_id": vehicles[2], **position}]}
    headers = auth(make_token(Role.gateway))
    first = await client.post("/v1/ingest", json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["inserted"] == 2
    again = (await client.post("/v1/ingest", json=body, headers=headers)).json()
    assert again["inserted"] == 0 and again["duplicates"] == 2  # idempotent
    kit.wait_until(
        lambda: (
            all(count(kit, database_url, "reading", "meter_id", m) == 1 for m in meters)
            and all(count(kit, database_url, "position", "vehicle_id", v) == 1 for v in vehicles)
        ),
        30,
        "rows of the three paths",
    )
    readings = kit.query(
        database_url,
        "SELECT meter_id, ts, energy_kwh, power_kw, extra FROM telemetry.reading WHERE meter_id = ANY(%s)",
        (meters,),
    )
    assert len({tuple(json.dumps(v, sort_keys=True, default=str) for v in r[1:]) for r in readings}) == 1
    positions = kit.query(
        database_url,
        "SELECT ts, lat, lon, speed_kmh, heading, altitude, ignition, satellites, odometer_km "
        "FROM telemetry.position WHERE vehicle_id = ANY(%s)",
        (vehicles,),
    )
    assert len(positions) == 3 and len(set(positions)) == 1
    assert consumer.terminate() == 0


async def test_http_batch_rejects_invalid_items_into_dead_letters(
    database_url: str, kit: Any, service_client: Any, make_token: Any
) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    client = await service_client("telemetry")
    future = (clock.now() + timedelta(days=1)).isoformat()
    body = {
        "readings": [
            {"meter_id": meter, "ts": BASE_MS, "energy_kwh": 1},
            {"meter_id": meter, "ts": future, "energy_kwh": 2},
            {"meter_id": kit.unique("ghost"), "ts": BASE_MS, "energy_kwh": 3},
        ],
        "positions": [{"vehicle_id": "nobody", "ts": BASE_MS, "lat": 95, "lon": 0}],
    }
    resp = await client.post("/v1/ingest", json=body, headers=auth(make_token(Role.gateway)))
    assert resp.status_code == 200
    result = resp.json()
    assert result["inserted"] == 1
    assert [(r["series"], r["index"]) for r in result["rejected"]] == [
        ("readings", 1),
        ("readings", 2),
        ("positions", 0),
    ]
    forbidden = await client.post("/v1/ingest", json=body, headers=auth(make_token(Role.vendor, vendor_id="x")))
    assert forbidden.status_code == 403


def _publish_in_background(kit: Any, url: str, msgs: list[tuple[str, bytes]]) -> threading.Thread:
    thread = threading.Thread(target=kit.publish, args=(url, msgs), daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_sigkill_mid_stream_then_restart_loses_and_duplicates_nothing(
    kit: Any, database_url: str, ingest_mqtt_url: str
) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    n = 20_000
    consumer = kit.consumer(database_url, ingest_mqtt_url, batch_max_size="500")
    consumer.start()
    publisher = _publish_in_background(kit, ingest_mqtt_url, reading_msgs(meter, n))
    for threshold in (2_000, 8_000):
        kit.wait_until(
            lambda t=threshold: count(kit, database_url, "reading", "meter_id", meter) >= t, 60, f"{threshold} rows"
        )
        consumer.kill()  # SIGKILL: whatever was received but not committed was not acknowledged either
        assert count(kit, database_url, "reading", "meter_id", meter) < n
        consumer.start()
    publisher.join(120)
    kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) >= n, 120, "all rows")
    assert consumer.terminate() == 0
    check_readings_exact(kit, database_url, meter, n)


@pytest.mark.slow
def test_backlog_of_50000_published_while_stopped_is_stored_completely(
    kit: Any, database_url: str, ingest_mqtt_url: str
) -> None:
    meters = [kit.unique("m") for _ in range(10)]
    kit.register(database_url, meters=meters)
    consumer = kit.consumer(database_url, ingest_mqtt_url)  # session exists, process not running
    msgs = [m for meter in meters for m in reading_msgs(meter, 5_000)]
    kit.publish(ingest_mqtt_url, msgs)
    consumer.start()
    total = 50_000

    def stored() -> int:
        return int(
            kit.query(database_url, "SELECT count(*) FROM telemetry.reading WHERE meter_id = ANY(%s)", (meters,))[0][0]
        )

    kit.wait_until(lambda: stored() >= total, 180, "50,000 rows")
    assert consumer.terminate() == 0
    assert stored() == total
    for meter in meters[:2]:
        check_readings_exact(kit, database_url, meter, 5_000)


@pytest.mark.slow
def test_database_connections_killed_mid_stream_lose_nothing(kit: Any, database_url: str, ingest_mqtt_url: str) -> None:
    meter, vehicle = kit.unique("m"), kit.unique("v")
    kit.register(database_url, meters=[meter], vehicles=[vehicle])
    consumer = kit.consumer(database_url, ingest_mqtt_url, batch_max_size="300", retry_initial_s="0.05")
    consumer.start()
    n = 10_000
    publisher = _publish_in_background(kit, ingest_mqtt_url, reading_msgs(meter, n) + position_msgs(vehicle, 2_000))
    terminated = 0
    for threshold in (1_000, 3_000, 6_000):
        kit.wait_until(
            lambda t=threshold: count(kit, database_url, "reading", "meter_id", meter) >= t, 60, f"{threshold} rows"
        )
        terminated += len(
            kit.query(
                database_url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'houqin-ingest' AND datname = current_database()",
            )
        )
    publisher.join(120)
    kit.wait_until(
        lambda: (
            count(kit, database_url, "reading", "meter_id", meter) >= n
            and count(kit, database_url, "position", "vehicle_id", vehicle) >= 2_000
        ),
        120,
        "all rows",
    )
    assert terminated >= 3
    assert consumer.proc is not None and consumer.proc.poll() is None
    assert consumer.terminate() == 0
    check_readings_exact(kit, database_url, meter, n)
    assert count(kit, database_url, "position", "vehicle_id", vehicle) == 2_000


@pytest.mark.slow
def test_broker_restart_mid_stream_consumer_reconnects_and_loses_nothing(
    kit: Any, database_url: str, tmp_path: Any
) -> None:
    """Broker stopped and restarted (same persistence) while messages flow: the consumer reconnects with
    back-off and every message is stored once. A plain subscription: Mosquitto 2.0.11 does not restore
    shared subscriptions from its persistence file, so messages published after a broker restart and
    before the consumers re-subscribe are dropped there (see docs/mqtt.md)."""
    from houqin_common.embedded import free_port

    if kit.mosquitto is None:
        pytest.fail("needs the mosquitto binary (scripts/ensure-mosquitto.sh): an amqtt fallback would prove nothing")
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)
    try:
        meter = kit.unique("m")
        kit.register(database_url, meters=[meter])
        consumer = kit.consumer(database_url, url, retry_initial_s="0.1", retry_max_s="1", mqtt_shared="false")
        consumer.start()
        kit.publish(url, reading_msgs(meter, 3_000))
        kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) >= 1, 30, "first rows")
        kit.stop_mosquitto(broker)  # the consumer loses its connection
        broker = kit.start_mosquitto(port, tmp_path)  # same persistence: sessions and queues survive
        kit.publish(url, reading_msgs(meter, 3_000, start=3_000))
        kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) == 6_000, 60, "all rows")
        assert consumer.proc is not None and consumer.proc.poll() is None
        assert consumer.terminate() == 0
        check_readings_exact(kit, database_url, meter, 6_000)
    finally:
        kit.stop_mosquitto(broker)


async def test_http_body_above_the_cap_is_413_problem_and_stores_nothing(
    database_url: str, kit: Any, service_client: Any, make_token: Any
) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    client = await service_client("telemetry")
    headers = auth(make_token(Role.gateway))
    small = {"readings": [{"meter_id": meter, "ts": BASE_MS, "energy_kwh": 1}]}
    assert (await client.post("/v1/ingest", json=small, headers=headers)).status_code == 200  # positive control
    # the server closes the pooled writer connections (a restart, an idle timeout): the next request reconnects
    kit.query(
        database_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'houqin-ingest' AND datname = current_database()",
    )
    assert (await client.post("/v1/ingest", json=small, headers=headers)).status_code == 200
    pad = "x" * (9 * 1024 * 1024)
    big = {"readings": [{"meter_id": meter, "ts": BASE_MS + 1, "energy_kwh": 1, "pad": pad}]}
    resp = await client.post("/v1/ingest", json=big, headers=headers)
    assert resp.status_code == 413
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["status"] == 413
    assert count(kit, database_url, "reading", "meter_id", meter) == 1
    assert not kit.query(database_url, "SELECT 1 FROM telemetry.dead_letter WHERE length(payload) > 1000000")


async def test_http_items_follow_the_mqtt_limits_and_strict_json(
    database_url: str, kit: Any, service_client: Any, make_token: Any
) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    client = await service_client("telemetry")
    headers = {**auth(make_token(Role.gateway)), "Content-Type": "application/json"}
    items = [
        {"meter_id": meter, "ts": BASE_MS, "energy_kwh": 1},
        {"meter_id": meter, "ts": BASE_MS + 1, "energy_kwh": 1, "pad": "x" * 300_000},
        {"meter_id": meter, "ts": BASE_MS + 2, "energy_kwh": 1, "note": "text"},
    ]
    resp = await client.post("/v1/ingest", content=json.dumps({"readings": items}), headers=headers)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert result["inserted"] == 1
    assert [r["index"] for r in result["rejected"]] == [1, 2]
    assert "exceeds" in result["rejected"][0]["reason"]
    stored = kit.query(
        database_url,
        "SELECT length(payload) FROM telemetry.dead_letter WHERE topic = 'POST /v1/ingest readings[1]' "
        "AND reason LIKE %s",
        (f"%{262144}%",),
    )
    assert stored and all(n <= 262_144 for (n,) in stored)
    dup = f'{{"readings": [{{"meter_id": "{meter}", "ts": {BASE_MS}, "energy_kwh": 1, "energy_kwh": 2}}]}}'
    resp = await client.post("/v1/ingest", content=dup, headers=headers)
    assert resp.status_code == 422 and "duplicate key" in resp.json()["detail"]


HOSTILE_BODIES: list[bytes] = [
    b"",
    b"not json",
    b"[]",
    b"5",
    b'{"readings": {}}',
    b'{"other": []}',
    b'{"readings": [5, null, "x", []]}',
    b'{"readings": [{"meter_id": 5}]}',
    b'{"readings": [{"meter_id": "a/b/c", "ts": 1780000000000, "energy_kwh": 1}]}',
    b'{"readings": [{"meter_id": "#", "ts": 1780000000000, "energy_kwh": 1}]}',
    b'{"readings": [{"meter_id": "\\u0000", "ts": 1780000000000, "energy_kwh": 1}]}',
    b'{"positions": [{"vehicle_id": "\\ud800", "ts": 1780000000000, "lat": 1, "lon": 1}]}',
    b'{"readings": [{"meter_id": "m", "ts": 1' + b"0" * 400 + b', "energy_kwh": 1e999}]}',
    b'{"readings": [{"meter_id": "m", "ts": NaN}]}',
    '{"readings": []}'.encode("utf-16"),
    b"\xff\xfe\xfd",
    b'{"readings": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
]


async def test_hostile_http_bodies_get_4xx_or_per_item_rejections_never_5xx(
    service_client: Any, make_token: Any
) -> None:
    client = await service_client("telemetry")
    headers = {**auth(make_token(Role.gateway)), "Content-Type": "application/json"}
    for body in HOSTILE_BODIES:
        resp = await client.post("/v1/ingest", content=body, headers=headers)
        assert resp.status_code in (200, 413, 422), (body[:60], resp.status_code, resp.text[:300])
        if resp.status_code != 200:
            assert resp.headers["content-type"].startswith("application/problem+json")
        else:
            assert resp.json()["accepted"] == 0
