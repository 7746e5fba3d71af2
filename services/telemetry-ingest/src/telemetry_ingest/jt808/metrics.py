"""Prometheus metrics of the JT/T 808 gateway."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.frames = Counter(
            "houqin_jt808_frames_total", "Frames received from terminals, by message id", ["msg"], registry=registry
        )
        self.errors = Counter(
            "houqin_jt808_errors_total",
            "Frames or messages that could not be handled, by kind",
            ["kind"],
            registry=registry,
        )
        self.acks = Counter(
            "houqin_jt808_acks_total",
            "Platform general responses (0x8001) sent, by result; `none` counts messages left unanswered "
            "because they were not stored (the terminal retransmits)",
            ["result"],
            registry=registry,
        )
        self.positions = Counter(
            "houqin_jt808_positions_total",
            "Location reports, by outcome (published, dead_letter)",
            ["outcome"],
            registry=registry,
        )
        self.connections = Gauge("houqin_jt808_connections", "Open terminal connections", ["state"], registry=registry)
        self.broker_connects = Counter(
            "houqin_jt808_mqtt_connects_total", "MQTT connection attempts, by outcome", ["outcome"], registry=registry
        )
