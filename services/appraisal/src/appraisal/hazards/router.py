"""HTTP API of the hazard register: /v1/hazards."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import Depends, Header, Path, Query, status
from fastapi.responses import Response

from appraisal.dependencies import AppSettings, Contracts, Directory
from appraisal.hazards import files, service
from appraisal.hazards.rules import HazardCategory, HazardStatus
from appraisal.hazards.schemas import (
    AlarmClearedIn,
    AlarmHazardIn,
    Attachment,
    HazardCreate,
    HazardRead,
    HazardStats,
    HazardTransitionIn,
)
from appraisal.models import Hazard
from appraisal.names import NameDirectory, name_vendors
from houqin_common import clock
from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/hazards", tags=["hazards"], responses=COMMON_ERRORS)

OFFICE = (Role.supervisor, Role.fire_control)
READERS = (*OFFICE, Role.inspector, Role.vendor, *READ_ALL)
HazardId = Path(max_length=36, description="hazard id")
IfMatch = Header(None, alias="If-Match", description="the ETag of the hazard as last read (required)")
ETAG_HEADER = {"ETag": {"description": "version of the hazard, for If-Match", "schema": {"type": "string"}}}


class StatsFormat(StrEnum):
    json = "json"
    xlsx = "xlsx"
    png = "png"
    svg = "svg"


async def _read(session: DbSession, hazard: Hazard, response: Response, names: NameDirectory) -> HazardRead:
    response.headers["ETag"] = service.etag(hazard)
    return (await _named(names, await service.reads(session, [hazard], clock.now())))[0]


async def _named(names: NameDirectory, reads: list[HazardRead]) -> list[HazardRead]:
    """The hazards with their vendor's registered name and their project's Chinese label."""
    await name_vendors(names, reads)
    return reads


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=HazardRead,
    responses={**problem_responses(422), 201: {"headers": ETAG_HEADER}},
)
async def create_hazard(
    hazard_in: HazardCreate,
    response: Response,
    session: DbSession,
    names: Directory,
    settings: AppSettings,
    contracts: Contracts,
    principal: Principal = Depends(require_roles(*OFFICE)),
) -> HazardRead:
    """Record a hazard (隐患). The responsible vendor is the one whose contract (contracts-api) covers the
    project of its category (`hazard_category_projects`) on the day it was found; without such a contract the
    office names it in `vendor_id` (422 when neither). The hazard is assigned to it at once; its response and
    removal deadlines follow its severity (`hazard_response_hours`, `hazard_removal_hours`)."""
    hazard = await service.record(
        session, hazard_in=hazard_in, reporter=principal.subject, settings=settings, contracts=contracts
    )
    return await _read(session, hazard, response, names)


@router.get("", response_model=Page[HazardRead])
async def list_hazards(
    session: DbSession,
    names: Directory,
    vendor_id: str | None = Query(None, max_length=64, description="only this vendor"),
    hazard_status: HazardStatus | None = Query(None, alias="status", description="only this status"),
    category: HazardCategory | None = Query(None, description="only this category"),
    overdue: bool = Query(False, description="only hazards open past their removal deadline"),
    page: PageParams = Depends(sorted_page("removal_due_at")),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[HazardRead]:
    """The register; a vendor token sees its own hazards. Sort by `found_at` (default), `removal_due_at`,
    `status`."""
    now = clock.now()
    rows, total = await service.list_hazards(
        session,
        page,
        vendor_id=vendor_scope(principal) or vendor_id,
        status=hazard_status.value if hazard_status else None,
        category=category.value if category else None,
        overdue_at=now if overdue else None,
    )
    return to_page(HazardRead, await _named(names, await service.reads(session, rows, now)), total, page)


@router.get("/overdue", response_model=Page[HazardRead])
async def list_overdue_hazards(
    session: DbSession,
    names: Directory,
    page: PageParams = Depends(sorted_page("removal_due_at")),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[HazardRead]:
    """Hazards open past their removal deadline (the alert list; the `hazard_overdue` alerts name the same
    hazards), most overdue first. A vendor token sees its own."""
    now = clock.now()
    rows, total = await service.list_hazards(
        session, page, vendor_id=vendor_scope(principal), status=None, category=None, overdue_at=now
    )
    return to_page(HazardRead, await _named(names, await service.reads(session, rows, now)), total, page)


@router.get(
    "/stats/{period}",
    response_model=HazardStats,
    responses={200: {"content": {"application/json": {}, **{m: {} for m in files.MEDIA_TYPES.values()}}}},
)
async def hazard_stats(
    session: DbSession,
    period: str = Path(pattern=r"^(19[7-9][0-9]|20[0-9]{2})(H[12])?$", description="`2026`, `2026H1` or `2026H2`"),
    fmt: StatsFormat = Query(StatsFormat.json, alias="format", description="json, xlsx, png or svg"),
    principal: Principal = Depends(require_roles(*OFFICE, *READ_ALL)),
) -> Any:
    """Hazards found in the year or half-year, by category and status, in Chinese: JSON, XLSX or a chart."""
    stats = await service.stats(session, period=period)
    if fmt == StatsFormat.json:
        return stats
    data = files.xlsx(stats) if fmt == StatsFormat.xlsx else files.chart(stats, fmt.value)
    return Response(
        data,
        media_type=files.MEDIA_TYPES[fmt.value],
        headers={"Content-Disposition": f'attachment; filename="hazards-{period}.{fmt.value}"'},
    )


@router.post(
    "/alarms",
    response_model=HazardRead,
    status_code=status.HTTP_200_OK,
    responses={**problem_responses(409, 422), 201: {"model": HazardRead, "description": "a new hazard"}},
)
async def hazard_from_alarm(
    alarm_in: AlarmHazardIn,
    response: Response,
    session: DbSession,
    names: Directory,
    settings: AppSettings,
    contracts: Contracts,
    principal: Principal = Depends(require_roles(Role.service, Role.fire_control, Role.supervisor)),
) -> HazardRead:
    """An alarm not cleared in time (fire alarm, fault...) opens a hazard of its zone (201) or joins the open
    one (200). Idempotent by `alarm_id`: a repeated call answers the same hazard and records nothing."""
    hazard, created = await service.from_alarm(
        session, alarm_in=alarm_in, reporter=principal.subject, settings=settings, contracts=contracts
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return await _read(session, hazard, response, names)


@router.post("/alarms/{alarm_id}/cleared", response_model=HazardRead, responses=problem_responses(404))
async def hazard_alarm_cleared(
    cleared_in: AlarmClearedIn,
    response: Response,
    session: DbSession,
    names: Directory,
    alarm_id: str = Path(max_length=64, description="alarm id"),
    principal: Principal = Depends(require_roles(Role.service, Role.fire_control, Role.supervisor)),
) -> HazardRead:
    """The alarm was restored at the panel: recorded on its hazard (the hazard stays open until removed and
    verified)."""
    hazard = await service.alarm_cleared(
        session, alarm_id=alarm_id, cleared_at=cleared_in.cleared_at, by=principal.subject
    )
    return await _read(session, hazard, response, names)


@router.get(
    "/{hazard_id}", response_model=HazardRead, responses={**problem_responses(404), 200: {"headers": ETAG_HEADER}}
)
async def get_hazard(
    response: Response,
    session: DbSession,
    names: Directory,
    hazard_id: str = HazardId,
    principal: Principal = Depends(require_roles(*READERS)),
) -> HazardRead:
    """One hazard with its alarms and history, and its `ETag`; a vendor sees its own only (404)."""
    hazard = await service.get_visible(session, hazard_id=hazard_id, principal=principal)
    return await _read(session, hazard, response, names)


@router.post(
    "/{hazard_id}/transitions",
    response_model=HazardRead,
    responses={**problem_responses(404, 409, 412, 428), 200: {"headers": ETAG_HEADER}},
)
async def transition_hazard(
    step_in: HazardTransitionIn,
    response: Response,
    session: DbSession,
    names: Directory,
    hazard_id: str = HazardId,
    if_match: str | None = IfMatch,
    principal: Principal = Depends(require_roles(*OFFICE, Role.vendor)),
) -> HazardRead:
    """One step of found → assigned → rectifying → removed → verified (or reopened): `assign`, `verify` and
    `reopen` by supervisors and the fire-control centre, `start` and `remove` by the responsible vendor (or
    the office). Each step is timestamped with who took it. `If-Match` required (428 without, 412 when
    stale); an illegal step answers 409 and changes nothing."""
    hazard = await service.transition(
        session, hazard_id=hazard_id, step_in=step_in, if_match=if_match, principal=principal
    )
    return await _read(session, hazard, response, names)


@router.post(
    "/{hazard_id}/attachments",
    response_model=HazardRead,
    responses={**problem_responses(404, 412, 428), 200: {"headers": ETAG_HEADER}},
)
async def attach_to_hazard(
    attachment: Attachment,
    response: Response,
    session: DbSession,
    names: Directory,
    hazard_id: str = HazardId,
    if_match: str | None = IfMatch,
    principal: Principal = Depends(require_roles(*OFFICE, Role.vendor)),
) -> HazardRead:
    """Attach a photo or document kept in the contract archive of contracts-api (`POST
    /v1/contracts/{contract_id}/documents` stores it hashed; the hazard keeps its reference). `If-Match`
    required."""
    hazard = await service.add_attachment(
        session, hazard_id=hazard_id, attachment=attachment, if_match=if_match, principal=principal
    )
    return await _read(session, hazard, response, names)
