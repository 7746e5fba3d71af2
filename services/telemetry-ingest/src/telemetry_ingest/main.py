"""App factory of telemetry-ingest: ``uvicorn --factory telemetry_ingest.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

import telemetry_ingest
from houqin_common.service import create_service_app
from telemetry_ingest.api import OPENAPI_TAGS, api_router
from telemetry_ingest.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    return create_service_app(
        name="telemetry-ingest",
        title="Houqin telemetry-ingest",
        description=(telemetry_ingest.__doc__ or "").split("\n\n", 1)[-1].strip(),
        settings=settings,
        routers=[api_router],
        openapi_tags=OPENAPI_TAGS,
    )
