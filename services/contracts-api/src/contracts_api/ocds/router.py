from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from contracts_api.common import STAFF_READERS
from contracts_api.ocds import builder, service
from houqin_common import clock
from houqin_common.auth import Principal, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS
from houqin_common.pagination import PageParams, page_params

router = APIRouter(prefix="/ocds", tags=["ocds"], responses=COMMON_ERRORS)


async def _releases(
    request: Request, session: DbSession, page: PageParams, project_code: str | None
) -> list[dict[str, Any]]:
    settings = request.app.state.settings
    processes, vendors, _total = await service.processes(
        session, prefix=settings.ocid_prefix, project_code=project_code, limit=page.limit, offset=page.offset
    )
    return [builder.release(p, vendors, buyer_name=settings.buyer_name) for p in processes]


@router.get("/releases", response_model=dict[str, Any])
async def get_ocds_releases(
    request: Request,
    session: DbSession,
    project_code: str | None = Query(None, max_length=64, description="only this project's processes"),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> dict[str, Any]:
    """An OCDS 1.1 release package: one compiled release per contracting process (tender, awards,
    contracts; procurementMethod `open`, `selective`, `limited` or `direct`; a single-source renewal has
    `relatedProcesses` `prior` pointing at the process it renews). Paginated with `limit`/`offset`."""
    releases = await _releases(request, session, page, project_code)
    return builder.release_package(
        releases,
        uri=str(request.url),
        publisher=request.app.state.settings.ocds_publisher,
        published=clock.now(),
    )


@router.get("/records", response_model=dict[str, Any])
async def get_ocds_records(
    request: Request,
    session: DbSession,
    project_code: str | None = Query(None, max_length=64, description="only this project's processes"),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> dict[str, Any]:
    """An OCDS 1.1 record package: per process, the linked release and the compiled release."""
    releases = await _releases(request, session, page, project_code)
    return builder.record_package(
        releases,
        uri=str(request.url),
        release_uri=str(request.url_for("get_ocds_releases")),
        publisher=request.app.state.settings.ocds_publisher,
        published=clock.now(),
    )
