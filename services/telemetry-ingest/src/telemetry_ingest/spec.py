"""The entry point through which the platform discovers telemetry-ingest."""

from houqin_common.app import ServiceSpec, TcpListener

SPEC = ServiceSpec(
    name="telemetry",
    title="telemetry-ingest",
    package="telemetry_ingest",
    app_factory="telemetry_ingest.main:create_app",
    port=8002,
    schema="telemetry",
    seed="telemetry_ingest.seed:seed",
    workers={
        "mqtt-consumer": "telemetry_ingest.ingest.consumer:main",
        # refreshes the energy/distance summaries and evaluates trips, alerts and waste every few minutes
        "analytics": "telemetry_ingest.kpis.worker:main",
        # JT/T 808 TCP gateway: BeiDou terminals connect directly, positions go through the MQTT pipeline
        "jt808-gateway": "telemetry_ingest.jt808.server:main",
    },
    listeners=(
        TcpListener(
            worker="jt808-gateway",
            label="JT/T 808",
            host_env="HOUQIN_TELEMETRY_JT808_HOST",
            port_env="HOUQIN_TELEMETRY_JT808_PORT",
            port=6808,
        ),
    ),
)
