"""The MQTT pipeline end to end: real Mosquitto, real PostgreSQL, the consumer as a child process."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from houqin_common import clock
from houqin_common.auth import Role
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


@pytest.mark.parametrize("fast_io", ["true", "false"])
def test_repeated_messages_and_arrays_with_duplicates_store_once(
    kit: Any, database_url: str, ingest_mqtt_url: str, fast_io: str
) -> None:
    meter = kit.unique("m")
    kit.register(database_url, meters=[meter])
    # fast_io=false: paho's own reader and its public ack(mid, qos), one batch written at a time
    consumer = kit.consumer(
        database_url, ingest_mqtt_url, mqtt_fast_io=fast_io, write_concurrency="2" if fast_io == "true" else "1"
    )
    consumer.start()
    msgs = reading_msgs(meter, 20)
    backlog = [json.loads(p) for _t, p in msgs[:10]]
    kit.publish(ingest_mqtt_url, msgs + msgs + [(msgs[0][0], json.dumps(backlog + backlog).encode())])
    kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) == 20, 30, "20 readings")
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
    time.sleep(0.5)
    assert count(kit, database_url, "reading", "meter_id", meter) == 3
    assert consumer.terminate() == 0
    check_readings_exact(kit, database_url, meter, 5)


MALFORMED: list[tuple[str, str, bytes]] = [
    ("not_json", "meters/{m}/readings", b"{not json"),
    ("binary", "meters/{m}/readings", b"\xff\xfe\x00garbage"),
    ("wrong_type", "meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": "12"}'),
    ("nan", "meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": NaN}'),
    ("infinity", "vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": Infinity, "lon": 119.9}'),
    ("lat_range", "vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": 91.5, "lon": 119.9}'),
    ("lon_range", "vehicles/{v}/positions", b'{"ts": 1780000000000, "lat": 31.8, "lon": -181}'),
    ("unknown_device", "meters/{u}/readings", b'{"ts": 1780000000000, "energy_kwh": 1}'),
    ("id_mismatch", "meters/{m}/readings", b'{"meter_id": "someone-else", "ts": 1780000000000, "energy_kwh": 1}'),
    ("wrong_kind", "vehicles/{m}/positions", b'{"ts": 1780000000000, "lat": 31.8, "lon": 119.9}'),
    ("future", "meters/{m}/readings", b'{"ts": "2099-01-01T00:00:00Z", "energy_kwh": 1}'),
    ("naive_ts", "meters/{m}/readings", b'{"ts": "2026-01-01T00:00:00", "energy_kwh": 1}'),
    ("no_channel", "meters/{m}/readings", b'{"ts": 1780000000000}'),
    ("array_of_junk", "meters/{m}/readings", b"[1, 2, 3]"),
    ("oversize", "meters/{m}/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "pad": "' + b"x" * 300_000 + b'"}'),
]


async def test_every_malformed_payload_lands_in_dead_letters_while_valid_traffic_continues(
    kit: Any, database_url: str, ingest_mqtt_url: str, service_client: Any, make_token: Any
) -> None:
    meter, vehicle, unknown = kit.unique("m"), kit.unique("v"), kit.unique("ghost")
    kit.register(database_url, meters=[meter], vehicles=[vehicle])
    consumer = kit.consumer(database_url, ingest_mqtt_url)
    consumer.start()
    valid = reading_msgs(meter, 30)
    bad = [(f"houqin/v1/{path.format(m=meter, v=vehicle, u=unknown)}", payload) for _name, path, payload in MALFORMED]
    interleaved: list[tuple[str, bytes]] = []
    for i, msg in enumerate(valid):
        interleaved.append(msg)
        if i < len(bad):
            interleaved.append(bad[i])
    kit.publish(ingest_mqtt_url, interleaved)
    topics = sorted({t for t, _p in bad})

    def dead() -> list[tuple[Any, ...]]:
        return kit.query(
            database_url,
            "SELECT topic, payload, reason FROM telemetry.dead_letter WHERE topic = ANY(%s) ORDER BY id",
            (topics,),
        )

    kit.wait_until(
        lambda: len(dead()) == len(MALFORMED) and count(kit, database_url, "reading", "meter_id", meter) == 30,
        30,
        "dead letters and valid readings",
    )
    assert consumer.proc is not None and consumer.proc.poll() is None  # never crashed
    stored = dead()
    assert sorted(bytes(p) for _t, p, _r in stored) == sorted(p for _t, p in bad)  # raw bytes kept
    reasons = " | ".join(r for _t, _p, r in stored)
    for fragment in ("not JSON", "must be a number", "non-finite", "outside", "not registered", "ahead of", "exceeds"):
        assert fragment in reasons
    check_readings_exact(kit, database_url, meter, 30)
    client = await service_client("telemetry")
    page = (
        await client.get(
            "/v1/dead-letters",
            params={"topic": f"houqin/v1/meters/{unknown}/readings"},
            headers=auth(make_token(Role.supervisor)),
        )
    ).json()
    assert page["total"] == 1
    assert "not registered" in page["items"][0]["reason"]
    assert page["items"][0]["payload_text"] == '{"ts": 1780000000000, "energy_kwh": 1}'
    assert consumer.terminate() == 0


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
    kills = 0
    for threshold in (2_000, 8_000):
        kit.wait_until(
            lambda t=threshold: count(kit, database_url, "reading", "meter_id", meter) >= t, 60, f"{threshold} rows"
        )
        consumer.kill()  # SIGKILL: whatever was received but not committed was not acknowledged either
        kills += 1
        assert count(kit, database_url, "reading", "meter_id", meter) < n
        consumer.start()
    publisher.join(120)
    kit.wait_until(lambda: count(kit, database_url, "reading", "meter_id", meter) >= n, 120, "all rows")
    assert consumer.terminate() == 0
    assert kills == 2
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
        pytest.skip("needs the mosquitto binary to restart a broker")  # pragma: no cover
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
