"""Prometheus metrics of the ingest, shared by the MQTT consumer and the HTTP batch endpoint."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

#: Mosquitto's ``$SYS`` topics the consumer subscribes to (QoS 0, never queued) -> exported metric
BROKER_STATS: dict[str, tuple[str, str, str]] = {
    "$SYS/broker/publish/messages/received": (
        "counter",
        "houqin_mqtt_broker_publish_received",
        "PUBLISH packets the broker received since it started (from its $SYS tree)",
    ),
    "$SYS/broker/publish/messages/dropped": (
        "counter",
        "houqin_mqtt_broker_publish_dropped",
        "PUBLISH packets the broker dropped (queue or in-flight limits) since it started",
    ),
    "$SYS/broker/store/messages/count": (
        "gauge",
        "houqin_mqtt_broker_stored_messages",
        "messages the broker holds (queued for sessions, retained)",
    ),
    "$SYS/broker/uptime": ("gauge", "houqin_mqtt_broker_uptime_seconds", "seconds since the broker started"),
}


class BrokerStats(Collector):
    """What the broker says about itself, beside what this consumer received: their difference is what
    matched no subscription (a topic outside ``houqin/v1/#``), which no dead letter can show."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.received = 0
        """PUBLISH packets this consumer received (every partition's), counted in the MQTT callback."""

    def update(self, topic: str, payload: bytes) -> None:
        text = payload.decode("ascii", "replace").split(" ", 1)[0]
        try:
            self.values[topic] = float(text)
        except ValueError:
            return

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "houqin_ingest_mqtt_received",
            "PUBLISH packets this consumer received from the broker (all partitions)",
            value=self.received,
        )
        for topic, (kind, name, doc) in BROKER_STATS.items():
            value = self.values.get(topic)
            if value is None:
                continue
            family = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            yield family(name, doc, value=value)


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.broker = BrokerStats()
        registry.register(self.broker)
        self.messages = Counter(
            "houqin_ingest_messages_total",
            "Messages (MQTT) or items (HTTP) handled, by outcome",
            ["source", "outcome"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "houqin_ingest_dead_letters_total",
            "Messages sent to the dead-letter table, by reason kind",
            ["source", "reason"],
            registry=registry,
        )
        self.rows = Counter(
            "houqin_ingest_rows_total",
            "Rows written, by series and outcome (inserted, duplicate)",
            ["series", "outcome"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "houqin_ingest_batch_seconds",
            "Time to write and commit one batch",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.batch_size = Histogram(
            "houqin_ingest_batch_size",
            "Messages per committed batch",
            registry=registry,
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000),
        )
        self.db_errors = Counter(
            "houqin_ingest_db_errors_total",
            "Transient database errors of a batch write (retried with back-off)",
            registry=registry,
        )
        self.db_refused = Counter(
            "houqin_ingest_db_refused_total",
            "Messages the database refused (found by splitting a failed batch) and sent to the dead letters",
            registry=registry,
        )
        self.dead_letter_flood = Counter(
            "houqin_ingest_dead_letter_flood_total",
            "Times the dead-letter cap stopped the consumer",
            registry=registry,
        )
        self.reconnects = Counter(
            "houqin_ingest_mqtt_connects_total", "MQTT connection attempts, by outcome", ["outcome"], registry=registry
        )
