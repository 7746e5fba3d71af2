"""`houqin simulate --protocol jt808`: simulated terminals drive the real gateway worker over TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

from houqin_common.embedded import free_port
from telemetry_ingest.simulator import jt808
from telemetry_ingest.simulator.model import CST


def start_gateway_worker(database_url: str, mqtt_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOUQIN_DATABASE_URL": database_url,
        "HOUQIN_MQTT_URL": mqtt_url,
        "HOUQIN_LOG_JSON": "false",
        "HOUQIN_LOG_LEVEL": "WARNING",
        "HOUQIN_TELEMETRY_JT808_HOST": "127.0.0.1",
        "HOUQIN_TELEMETRY_JT808_PORT": str(port),
        "HOUQIN_TELEMETRY_JT808_MQTT_CLIENT_ID": f"jt808-sim-{port}",
    }
    proc = subprocess.Popen([sys.executable, "-m", "telemetry_ingest.jt808.server"], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            assert proc.poll() is None, "the gateway worker exited"
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("the gateway worker did not listen")


def test_simulated_terminals_register_and_every_acknowledged_report_is_stored(
    kit: Any, fresh_database_url: str, ingest_mqtt_url: str
) -> None:
    consumer = kit.consumer(fresh_database_url, ingest_mqtt_url)
    consumer.start()
    port = free_port()
    gateway = start_gateway_worker(fresh_database_url, ingest_mqtt_url, port)
    try:
        acked = jt808.run(
            host="127.0.0.1",
            port=port,
            database_url=fresh_database_url,
            vehicles=10,
            speedup=1800,
            duration_s=2.0,
            start=datetime(2026, 7, 6, 8, 30, tzinfo=CST),
            edition=2019,
        )
        assert acked > 20
        # every answered report is already committed: no waiting
        assert kit.query(fresh_database_url, "SELECT count(*) FROM telemetry.position")[0][0] == acked
        phones = kit.query(fresh_database_url, "SELECT count(terminal_phone) FROM telemetry.vehicle")[0][0]
        assert phones == 10
        states = kit.query(fresh_database_url, "SELECT DISTINCT protocol FROM telemetry.terminal_connection")
        assert states == [("jt808-2019",)]
        lat_min, lat_max = kit.query(fresh_database_url, "SELECT min(lat), max(lat) FROM telemetry.position")[0]
        assert 31.7 < lat_min <= lat_max < 31.9
    finally:
        gateway.terminate()
        assert gateway.wait(30) == 0
    assert consumer.terminate() == 0
