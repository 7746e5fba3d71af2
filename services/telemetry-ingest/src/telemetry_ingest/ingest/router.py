from __future__ import annotations

from fastapi import Depends, Request

from houqin_common.auth import Principal, Role, require_roles
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.i18n import _
from houqin_common.routing import ServiceRouter
from telemetry_ingest.ingest import service
from telemetry_ingest.ingest.dependencies import writer_pool
from telemetry_ingest.ingest.errors import PayloadTooLarge
from telemetry_ingest.ingest.schemas import IngestBatch, IngestResult
from telemetry_ingest.ingest.validation import Limits
from telemetry_ingest.settings import Settings

router = ServiceRouter(tags=["ingest"], responses=COMMON_ERRORS)

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": IngestBatch.model_json_schema(ref_template="#/components/schemas/{model}")}
        },
    }
}


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(_("The body exceeds {limit} bytes", limit=limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(_("The body exceeds {limit} bytes", limit=limit))
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/ingest", response_model=IngestResult, responses=problem_responses(413, 422, 503), openapi_extra=_BODY)
async def ingest_batch(
    request: Request,
    pool: service.WriterPool = Depends(writer_pool),
    _: Principal = Depends(require_roles(Role.gateway, Role.supervisor)),
) -> IngestResult:
    """HTTP batch ingest for gateways without MQTT: each item goes through the same steps as an MQTT message
    on its topic (validation by the published payload models, COPY writer, idempotent keys: a re-sent batch
    inserts nothing and reports the items as duplicates). Invalid items do not fail the batch: they go to
    the dead letters and are listed in `rejected`. A body larger than
    `HOUQIN_TELEMETRY_HTTP_INGEST_MAX_BODY_BYTES` is refused with 413; an item larger than
    `HOUQIN_TELEMETRY_MAX_PAYLOAD_BYTES` is a dead letter (`oversize`) like an MQTT payload."""
    settings: Settings = request.app.state.settings
    body = await _body(request, settings.http_ingest_max_body_bytes)
    limits = Limits(max_payload_bytes=settings.max_payload_bytes, max_future_skew=settings.max_future_skew)
    return await service.ingest(
        body,
        pool=pool,
        limits=limits,
        max_items=settings.http_ingest_max_items,
        metrics=getattr(request.app.state, "ingest_metrics", None),
    )
