"""Settings of telemetry-ingest: env prefix ``HOUQIN_TELEMETRY_``, falling back to ``HOUQIN_``."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from houqin_common.settings import ServiceSettings


class Settings(ServiceSettings):
    """telemetry-ingest settings; policy numbers live here with defaults from DOMAIN.md."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_TELEMETRY_", extra="ignore")


@lru_cache
def get_settings() -> Settings:
    return Settings()
