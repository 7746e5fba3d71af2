"""App factory of telemetry-ingest: ``uvicorn --factory telemetry_ingest.main:create_app``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import aiomqtt
from fastapi import FastAPI

import telemetry_ingest
from houqin_common.app import create_service_app
from houqin_common.clients import contracts_client
from houqin_common.names import NameDirectory
from telemetry_ingest.api import API_PREFIX, OPENAPI_TAGS, ROUTERS
from telemetry_ingest.ingest.metrics import IngestMetrics
from telemetry_ingest.settings import Settings, get_settings


async def broker_ready(app: FastAPI) -> None:
    """Readiness: the MQTT broker accepts a connection (the ingest worker depends on it)."""
    settings: Settings = app.state.settings
    url = urlsplit(settings.mqtt_url)
    client = aiomqtt.Client(
        url.hostname or "127.0.0.1",
        url.port or 1883,
        identifier=f"houqin-readyz-{uuid.uuid4().hex[:8]}",
        username=settings.mqtt_username or url.username,
        password=settings.mqtt_password or url.password,
        timeout=settings.broker_check_timeout_s,
    )
    async with asyncio.timeout(settings.broker_check_timeout_s):
        async with client:
            pass


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    try:
        yield
    finally:
        pool = getattr(app.state, "ingest_writers", None)
        if pool is not None:
            await pool.close()
        await app.state.contracts.aclose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        name="telemetry-ingest",
        title="Houqin telemetry-ingest",
        description=(telemetry_ingest.__doc__ or "").split("\n\n", 1)[-1].strip(),
        settings=settings,
        routers=ROUTERS,
        api_prefix=API_PREFIX,
        openapi_tags=OPENAPI_TAGS,
        readiness={"broker": broker_ready},
        lifespan=lifespan,
    )
    app.state.ingest_metrics = IngestMetrics(app.state.metrics.registry)
    # vendor names beside vendor ids (telemetry_ingest.names); contracts-api is optional: names are null without it
    app.state.contracts = contracts_client(settings, caller="telemetry-ingest")
    app.state.names = NameDirectory(app.state.contracts, ttl_s=settings.names_ttl_s, retry_s=settings.names_retry_s)
    return app
