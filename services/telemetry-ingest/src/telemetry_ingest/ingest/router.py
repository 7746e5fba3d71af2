from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request

from houqin_common.auth import Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, UnprocessableEntity, problem_responses
from telemetry_ingest.ingest import service
from telemetry_ingest.ingest.schemas import IngestBatch, IngestResult
from telemetry_ingest.ingest.validation import Limits
from telemetry_ingest.settings import Settings

router = APIRouter(tags=["ingest"], responses=COMMON_ERRORS)


@router.post("/ingest", response_model=IngestResult, responses=problem_responses(413))
async def ingest_batch(
    batch: IngestBatch,
    request: Request,
    session: DbSession,
    _: Principal = Depends(require_roles(Role.gateway, Role.supervisor)),
) -> IngestResult:
    """HTTP batch ingest for gateways without MQTT: the same validation and the same idempotency as the MQTT
    topics (a re-sent batch inserts nothing and reports the items as duplicates). Invalid items do not fail
    the batch: they go to the dead letters and are listed in `rejected`."""
    settings: Settings = request.app.state.settings
    if len(batch.readings) + len(batch.positions) > settings.http_ingest_max_items:
        raise UnprocessableEntity(f"at most {settings.http_ingest_max_items} items per request")
    limits = Limits(
        max_payload_bytes=settings.max_payload_bytes, max_future_skew=timedelta(seconds=settings.max_future_skew_s)
    )
    return await service.ingest(
        session, batch=batch, limits=limits, metrics=getattr(request.app.state, "ingest_metrics", None)
    )
