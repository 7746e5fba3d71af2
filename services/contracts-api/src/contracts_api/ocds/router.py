"""HTTP routes of the OCDS release and record packages."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Path, Query, Request

from contracts_api.common import STAFF_READERS
from contracts_api.ocds import builder, service
from contracts_api.ocds.schemas import RecordPackage, ReleasePackage
from houqin_common import clock
from houqin_common.auth import Principal, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window
from houqin_common.routing import ServiceRouter

router = ServiceRouter(prefix="/ocds", tags=["ocds"], responses=COMMON_ERRORS)


@router.get("/releases", response_model=None, responses={200: {"model": ReleasePackage}})
async def get_ocds_releases(
    request: Request,
    session: DbSession,
    project_code: str | None = Query(None, max_length=64, description="only this project's processes"),
    page: PageParams = Depends(page_window),
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> dict[str, Any]:
    """An OCDS 1.1 release package of the append-only release store, oldest first: one release per event
    (tender, tender update for each bid or quote, award with its contract, each contract update, the
    start of implementation, termination). Releases are never changed; each id is unique and resolves
    at `/v1/ocds/releases/{id}`. procurementMethod `open`, `selective`, `limited` or `direct`; bidders are
    published in `tender.tenderers`; a single-source renewal has `relatedProcesses` `prior`."""
    settings = request.app.state.settings
    releases, _total = await service.releases_page(
        session, prefix=settings.ocid_prefix, project_code=project_code, limit=page.limit, offset=page.offset
    )
    return builder.release_package(
        releases, uri=str(request.url), publisher=settings.ocds_publisher, published=clock.now()
    )


@router.get(
    "/releases/{release_id}", response_model=None, responses={200: {"model": ReleasePackage}, **problem_responses(404)}
)
async def get_ocds_release(
    request: Request,
    session: DbSession,
    release_id: str = Path(max_length=120, description="release id"),
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> dict[str, Any]:
    """One release, as a release package (its permanent address)."""
    release = await service.release(session, release_id=release_id)
    return builder.release_package(
        [release],
        uri=str(request.url),
        publisher=request.app.state.settings.ocds_publisher,
        published=clock.now(),
    )


@router.get("/records", response_model=None, responses={200: {"model": RecordPackage}})
async def get_ocds_records(
    request: Request,
    session: DbSession,
    project_code: str | None = Query(None, max_length=64, description="only this project's processes"),
    page: PageParams = Depends(page_window),
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> dict[str, Any]:
    """An OCDS 1.1 record package: per process, every release (linked to its own URL), the compiledRelease
    and the versionedRelease, compiled by the OCDS merge routine."""
    settings = request.app.state.settings
    records, _total = await service.records_page(
        session,
        prefix=settings.ocid_prefix,
        project_code=project_code,
        limit=page.limit,
        offset=page.offset,
        release_url=lambda rid: str(request.url_for("get_ocds_release", release_id=rid)),
    )
    return builder.record_package(
        records,
        uri=str(request.url),
        packages=[str(request.url_for("get_ocds_releases"))],
        publisher=settings.ocds_publisher,
        published=clock.now(),
    )
