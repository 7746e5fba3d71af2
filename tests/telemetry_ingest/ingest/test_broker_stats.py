"""Messages the ingest never sees are at least counted: the broker's ``$SYS`` figures beside the consumer's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from houqin_common.embedded import free_port

BASE_MS = 1_780_000_000_000


def test_a_topic_outside_the_subscription_shows_as_the_gap_between_broker_and_consumer(
    kit: Any, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = kit.start_mosquitto(port, tmp_path)  # private: the broker's counters see only this test
    try:
        meter = kit.unique("m")
        kit.register(database_url, meters=[meter])
        consumer = kit.consumer(database_url, url)
        consumer.start()

        def metrics() -> dict[str, float]:
            try:
                return dict(consumer.metrics())
            except (OSError, httpx.HTTPError):
                return {}

        kit.wait_until(lambda: metrics().get("houqin_ingest_mqtt_connects_total{outcome=ok}", 0) >= 1, 180, "connected")
        body = json.dumps({"ts": BASE_MS, "energy_kwh": 1.0}).encode()
        good = [(f"houqin/v1/meters/{meter}/readings", body)]
        lost = [(f"houqin/V1/meters/{meter}/readings", body), (f"/houqin/v1/meters/{meter}/readings", body)]
        kit.publish(url, good + lost)  # every one PUBACKed by the broker

        def gap() -> float | None:
            m = metrics()
            if "houqin_mqtt_broker_publish_received_total" not in m:
                return None
            return m["houqin_mqtt_broker_publish_received_total"] - m["houqin_ingest_mqtt_received_total"]

        # Mosquitto publishes $SYS every sys_interval (10 s by default)
        kit.wait_until(lambda: gap() == len(lost), 60, "the broker's count of the unrouted messages")
        m = metrics()
        assert m["houqin_ingest_mqtt_received_total"] == len(good)  # positive control: the good one arrived
        assert m["houqin_mqtt_broker_uptime_seconds"] >= 0
        assert kit.query(database_url, "SELECT count(*) FROM telemetry.reading WHERE meter_id = %s", (meter,)) == [(1,)]
        assert consumer.terminate() == 0
    finally:
        kit.stop_mosquitto(broker)
