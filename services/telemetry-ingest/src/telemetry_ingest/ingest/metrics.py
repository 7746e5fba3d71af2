"""Prometheus metrics of the ingest, shared by the MQTT consumer and the HTTP batch endpoint."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
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
