"""Settings of telemetry-ingest: env prefix ``HOUQIN_TELEMETRY_``, falling back to ``HOUQIN_``."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from houqin_common.settings import ServiceSettings


class Settings(ServiceSettings):
    """telemetry-ingest settings; policy numbers live here with defaults from DOMAIN.md."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_TELEMETRY_", extra="ignore")

    names_ttl_s: float = Field(
        default=300.0, gt=0, description="how long the vendor names read from contracts-api are cached"
    )
    names_retry_s: float = Field(
        default=10.0,
        ge=0,
        description="after contracts-api failed, seconds before it is asked again (names are null meanwhile)",
    )

    mqtt_client_id: str = Field(
        default="houqin-ingest-1",
        description="fixed MQTT client id of this ingest process: the broker keeps its persistent session",
    )
    mqtt_share_group: str = Field(default="houqin-ingest", description="shared-subscription group name")
    mqtt_shared: bool = Field(
        default=False,
        description=(
            "subscribe through `$share/<group>/...`: only on a broker that restores shared subscriptions after"
            " its own restart (Mosquitto does not, and loses what arrives before the consumers re-subscribe)"
        ),
    )
    mqtt_partitions: int = Field(
        default=1,
        ge=1,
        le=256,
        description=(
            "consumers that split the devices between them (docs/mqtt.md): each has its own persistent session"
            " on every topic and stores only the devices of its partition, crc32(device id) mod this"
        ),
    )
    mqtt_partition: int | None = Field(
        default=None,
        ge=0,
        description="this consumer's partition; unset: the trailing `-<n>` of the client id (a StatefulSet ordinal)",
    )
    mqtt_username: str | None = Field(default=None, description="broker user of the ingest")
    mqtt_password: str | None = Field(default=None, description="broker password of the ingest")
    mqtt_keepalive_s: int = Field(default=30, ge=5, description="MQTT keep-alive")
    batch_max_size: int = Field(
        default=2000, ge=1, description="flush a batch at this many messages (keep below the broker in-flight window)"
    )
    write_concurrency: int = Field(
        default=2, ge=1, le=8, description="batches written at the same time (one database connection each)"
    )
    batch_max_age_ms: int = Field(default=100, ge=1, description="flush a batch at this age, whatever its size")
    max_payload_bytes: int = Field(
        default=256 * 1024,
        ge=64,
        description="larger MQTT payloads and HTTP items are dead letters (keep below the broker max_packet_size)",
    )
    max_future_skew_s: float = Field(
        default=300.0, ge=0, description="device time later than receipt time by more than this is rejected"
    )
    registry_refresh_s: float = Field(default=30.0, gt=0, description="how often the consumer reloads device ids")
    unknown_device_recheck_s: float = Field(
        default=5.0, ge=0, description="how long an unknown device id stays unknown before it is looked up again"
    )
    retry_initial_s: float = Field(default=0.2, gt=0, description="first back-off after a database or broker error")
    retry_max_s: float = Field(default=10.0, gt=0, description="longest back-off")
    http_ingest_max_items: int = Field(default=10_000, ge=1, description="items per POST /v1/ingest request")
    http_ingest_max_body_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="larger POST /v1/ingest bodies are refused with 413"
    )
    dead_letter_max_consecutive: int | None = Field(
        default=1000,
        ge=1,
        description="the consumer stops (exit 3, batch left in the broker) after more consecutive dead letters",
    )
    dead_letter_max_ratio: float | None = Field(
        default=0.5,
        gt=0,
        le=1,
        description="the consumer stops when more than this share of the window is dead letters",
    )
    dead_letter_window: int = Field(
        default=10_000, ge=1, description="messages over which the dead-letter ratio counts"
    )
    worker_metrics_port: int | None = Field(
        default=None, description="port of the consumer's own Prometheus endpoint (none: not exposed)"
    )
    broker_check_timeout_s: float = Field(default=2.0, gt=0, description="timeout of the broker readiness check")
    timescale_compress_after: str = Field(
        default="7 days", description="TimescaleDB: compress chunks older than this (read by the migration)"
    )
    timescale_retention: str = Field(
        default="5 years", description="TimescaleDB: drop raw chunks older than this (read by the migration)"
    )

    jt808_host: str = Field(default="0.0.0.0", description="JT/T 808 gateway: address to listen on")  # noqa: S104
    jt808_port: int = Field(default=6808, ge=0, le=65535, description="JT/T 808 gateway: TCP port of the terminals")
    jt808_idle_timeout_s: float = Field(
        default=180.0, gt=0, description="JT/T 808: close a connection silent this long (3 heartbeat intervals)"
    )
    jt808_ack_after: Literal["broker", "stored"] = Field(
        default="stored",
        description="JT/T 808: answer 0x8001 after the broker's PUBACK (`broker`) or also after the rows are "
        "visible in the database (`stored`)",
    )
    jt808_confirm_timeout_s: float = Field(
        default=10.0, gt=0, description="JT/T 808: no answer (the terminal retransmits) when not stored by then"
    )
    jt808_confirm_interval_ms: int = Field(
        default=250,
        ge=1,
        description="JT/T 808: pending positions are looked up at each commit notification, at the latest after this",
    )
    jt808_no_fix: Literal["dead_letter", "store"] = Field(
        default="dead_letter",
        description="JT/T 808: a report without a valid fix (status bit 1 clear) goes to the dead letters or is stored",
    )
    jt808_max_inflight: int = Field(
        default=64, ge=1, description="JT/T 808: location messages of one connection being stored at the same time"
    )
    jt808_max_unauthenticated_frames: int = Field(
        default=20, ge=2, description="JT/T 808: close a connection that sent this many frames without authenticating"
    )
    jt808_mqtt_client_id: str = Field(
        default="houqin-jt808-1", description="JT/T 808 gateway: MQTT client id (unique per gateway replica)"
    )
    jt808_mqtt_username: str | None = Field(
        default=None,
        description="JT/T 808 gateway: broker user allowed to publish vehicle positions (none: mqtt_username)",
    )
    jt808_mqtt_password: str | None = Field(default=None, description="JT/T 808 gateway: broker password")
    jt808_metrics_port: int | None = Field(
        default=None, description="port of the JT/T 808 gateway's own Prometheus endpoint (none: not exposed)"
    )

    @property
    def max_future_skew(self) -> timedelta:
        return timedelta(seconds=self.max_future_skew_s)


@lru_cache
def get_settings() -> Settings:
    return Settings()
