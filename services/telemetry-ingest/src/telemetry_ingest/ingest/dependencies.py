from __future__ import annotations

from fastapi import Request

from telemetry_ingest.ingest.service import WriterPool
from telemetry_ingest.settings import Settings


async def writer_pool(request: Request) -> WriterPool:
    """The app's COPY writers for POST /v1/ingest, created on first use (closed with the app)."""
    state = request.app.state
    pool: WriterPool | None = getattr(state, "ingest_writers", None)
    if pool is None:
        settings: Settings = state.settings
        pool = state.ingest_writers = WriterPool(settings.database_url)
    return pool
