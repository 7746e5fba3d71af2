from datetime import datetime
from typing import Any

from telemetry_ingest.simulator.model import CST
from telemetry_ingest.simulator.runner import run


def test_simulated_traffic_is_registered_published_and_ingested(
    kit: Any, fresh_database_url: str, ingest_mqtt_url: str
) -> None:
    consumer = kit.consumer(fresh_database_url, ingest_mqtt_url)
    consumer.start()
    # the registry must exist before the consumer looks the devices up: run() registers them first
    sent = run(
        mqtt_url=ingest_mqtt_url,
        database_url=fresh_database_url,
        vehicles=20,
        meters=30,
        speedup=1800,
        duration_s=2.0,
        start=datetime(2026, 7, 6, 8, 30, tzinfo=CST),
        report=None,
    )
    assert sent > 50

    def stored() -> int:
        return int(
            kit.query(
                fresh_database_url,
                "SELECT (SELECT count(*) FROM telemetry.reading) + (SELECT count(*) FROM telemetry.position)",
            )[0][0]
        )

    kit.wait_until(lambda: stored() == sent, 60, "every simulated message")
    assert consumer.terminate() == 0
    assert kit.query(fresh_database_url, "SELECT count(*) FROM telemetry.dead_letter")[0][0] == 0
    lat_min, lat_max, lon_min, lon_max = kit.query(
        fresh_database_url, "SELECT min(lat), max(lat), min(lon), max(lon) FROM telemetry.position"
    )[0]
    assert 31.7 < lat_min <= lat_max < 31.9 and 119.9 < lon_min <= lon_max < 120.05
