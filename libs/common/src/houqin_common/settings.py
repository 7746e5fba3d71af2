"""Settings shared by every service.

Each service subclasses :class:`ServiceSettings` with its own prefix (``HOUQIN_CONTRACTS_`` ...).
A field is read from the service-prefixed variable first and from the plain ``HOUQIN_`` one second,
so one ``HOUQIN_DATABASE_URL`` configures the whole platform while each service can still override it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from houqin_common.i18n import _

DEFAULT_DEV_SECRET = "houqin-development-secret-change-me-0123456789"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/houqin"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class TracingExporter(StrEnum):
    otlp = "otlp"
    console = "console"


class ServiceSettings(BaseSettings):
    """Fields every service needs; subclasses add their policy numbers."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_", extra="ignore", env_file=None)

    environment: Environment = Field(default=Environment.development, description="deployment environment")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="PostgreSQL URL (any driver suffix)")
    db_pool_size: int = Field(
        default=10, ge=1, description="size of each of a process's two pools (SQLAlchemy, hot reads on asyncpg)"
    )
    db_pool_recycle_s: int = Field(
        default=1800, ge=1, description="replace a pooled connection older than this (no ping per request)"
    )
    db_jit: bool = Field(
        default=False,
        description="let PostgreSQL JIT-compile the service's queries (off: compilation cost more than the "
        "millisecond reads it would speed up)",
    )
    mqtt_url: str = Field(default="mqtt://127.0.0.1:1883", description="MQTT broker URL")
    jwt_secret: str = Field(default=DEFAULT_DEV_SECRET, description="HS256 shared secret")
    jwt_algorithm: str = Field(default="HS256", description="HS256 (development) or RS256 (JWKS)")
    jwt_jwks_url: str | None = Field(default=None, description="JWKS URL of the IdP when RS256")
    jwt_audience: str | None = Field(default=None, description="expected `aud` claim, if any")
    jwt_issuer: str | None = Field(default=None, description="expected `iss` claim, if any")
    contracts_url: str = Field(default="http://127.0.0.1:8001", description="contracts-api base URL")
    telemetry_url: str = Field(default="http://127.0.0.1:8002", description="telemetry-ingest base URL")
    appraisal_url: str = Field(default="http://127.0.0.1:8003", description="appraisal base URL")
    service_token: str | None = Field(
        default=None, description="bearer token this service presents to the others; minted if unset"
    )
    http_timeout_s: float = Field(default=5.0, gt=0, description="timeout of inter-service calls")
    http_retries: int = Field(default=3, ge=0, description="retries of idempotent inter-service calls")
    log_level: str = Field(default="INFO", description="root log level")
    log_json: bool = Field(default=True, description="JSON log lines (false: plain text)")
    tracing: bool = Field(default=False, description="OpenTelemetry request spans (off: no per-request cost)")
    tracing_exporter: TracingExporter = Field(
        default=TracingExporter.otlp, description="where spans go when tracing is on: otlp (HTTP) or console"
    )
    tracing_otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP traces URL; unset: OTEL_EXPORTER_OTLP_* or http://localhost:4318"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        shared = EnvSettingsSource(settings_cls, env_prefix="HOUQIN_")
        return (init_settings, env_settings, shared, dotenv_settings, file_secret_settings)

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> ServiceSettings:
        weak = self.jwt_secret == DEFAULT_DEV_SECRET or len(self.jwt_secret) < 32
        if self.environment == Environment.production and self.jwt_algorithm == "HS256" and weak:
            raise ValueError(_("HOUQIN_JWT_SECRET must be set to a strong secret in production"))
        return self

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict safe to log."""
        data = self.model_dump(mode="json")
        for key in ("jwt_secret", "service_token"):
            if data.get(key):
                data[key] = "***"
        return data
