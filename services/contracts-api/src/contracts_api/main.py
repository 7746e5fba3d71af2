"""App factory of contracts-api: ``uvicorn --factory contracts_api.main:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import contracts_api
from contracts_api.api import API_PREFIX, OPENAPI_TAGS, ROUTERS
from contracts_api.settings import Settings, get_settings
from houqin_common.app import create_service_app
from houqin_common.clients import appraisal_client


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.appraisal = appraisal_client(settings, caller="contracts-api")
        try:
            yield
        finally:
            await app.state.appraisal.aclose()

    return create_service_app(
        name="contracts-api",
        title="Houqin contracts-api",
        description=(contracts_api.__doc__ or "").split("\n\n", 1)[-1].strip(),
        settings=settings,
        routers=ROUTERS,
        api_prefix=API_PREFIX,
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
