"""App factory of appraisal: ``uvicorn --factory appraisal.main:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import appraisal
from appraisal.api import API_PREFIX, OPENAPI_TAGS, ROUTERS
from appraisal.names import NameDirectory
from appraisal.settings import Settings, get_settings
from houqin_common.app import create_service_app
from houqin_common.clients import contracts_client, telemetry_client


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # telemetry KPIs and the veto check are optional sources: appraisal starts without them
        app.state.telemetry = telemetry_client(settings, caller="appraisal")
        app.state.contracts = contracts_client(settings, caller="appraisal")
        app.state.names = NameDirectory(app.state.contracts, ttl_s=settings.names_ttl_s, retry_s=settings.names_retry_s)
        try:
            yield
        finally:
            await app.state.telemetry.aclose()
            await app.state.contracts.aclose()

    return create_service_app(
        name="appraisal",
        title="Houqin appraisal",
        description=(appraisal.__doc__ or "").split("\n\n", 1)[-1].strip(),
        settings=settings,
        routers=ROUTERS,
        api_prefix=API_PREFIX,
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
