"""HTTP routes of the awards: evaluate a year's awards, list them, nominate and list service stars."""

from __future__ import annotations

from fastapi import Depends, Path, Query, status

from appraisal.awards import service
from appraisal.awards.schemas import AwardEvaluate, AwardEvaluation, AwardRead, ServiceStarCreate, ServiceStarRead
from appraisal.dependencies import AppSettings, Contracts, Directory, Telemetry, Today
from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(tags=["awards"], responses=COMMON_ERRORS)

READERS = (Role.supervisor, Role.vendor, *READ_ALL)


@router.post("/awards/{year}/evaluate", response_model=AwardEvaluation)
async def evaluate_awards(
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    contracts: Contracts,
    directory: Directory,
    today: Today,
    evaluate_in: AwardEvaluate | None = None,
    year: int = Path(
        ge=1990, le=2100, description="appraisal year (the first appraised year and later: 422 before it)"
    ),
    _: Principal = Depends(require_roles(Role.supervisor)),
) -> AwardEvaluation:
    """Apply the configured award rules to the year's ranking and store the decisions (replacing earlier
    ones of the year): *advanced unit* (先进单位) and *excellent unit* (优秀单位) need a rank and a total
    within the bars, no one-vote veto (asked of contracts-api; unreachable → the award is provisional) and
    no major food-safety violation in the year. The bonus uplift is head count × base bonus × rate."""
    return await service.evaluate(
        session,
        year=year,
        evaluate_in=evaluate_in or AwardEvaluate(),
        settings=settings,
        kpis=telemetry,
        vetoes=contracts,
        today=today,
        directory=directory,
    )


@router.get("/awards", response_model=Page[AwardRead])
async def list_awards(
    session: DbSession,
    directory: Directory,
    year: int | None = Query(None, ge=2000, le=2100, description="only this year"),
    vendor_id: str | None = Query(None, description="only this vendor"),
    page: PageParams = Depends(page_window),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[AwardRead]:
    """Award decisions, newest year first then by rank (a vendor token sees its own)."""
    rows, total = await service.list_awards(
        session, year=year, vendor_id=vendor_scope(principal) or vendor_id, limit=page.limit, offset=page.offset
    )
    names = await directory.resolve({d.vendor_id for d in rows}, ())
    return to_page(AwardRead, [service.to_read(d, names) for d in rows], total, page)


@router.post(
    "/service-stars",
    status_code=status.HTTP_201_CREATED,
    response_model=ServiceStarRead,
    responses=problem_responses(404, 409, 503),
)
async def nominate_service_star(
    star_in: ServiceStarCreate,
    session: DbSession,
    contracts: Contracts,
    today: Today,
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> ServiceStarRead:
    """Nominate a vendor employee as service star (服务之星). The vendor must be registered in contracts-api
    (404 otherwise) and eligible today: a one-vote veto (一票否决) or another exclusion answers 409 naming it."""
    star = await service.nominate(session, star_in=star_in, nominator=principal.subject, vendors=contracts, today=today)
    return ServiceStarRead.model_validate(star)


@router.get("/service-stars", response_model=Page[ServiceStarRead])
async def list_service_stars(
    session: DbSession,
    directory: Directory,
    year: int | None = Query(None, ge=2000, le=2100, description="only this year"),
    vendor_id: str | None = Query(None, description="only this vendor"),
    page: PageParams = Depends(page_window),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[ServiceStarRead]:
    """Service-star nominations (a vendor token sees its own)."""
    rows, total = await service.list_stars(
        session, year=year, vendor_id=vendor_scope(principal) or vendor_id, limit=page.limit, offset=page.offset
    )
    names = await directory.resolve({s.vendor_id for s in rows}, ())
    items = [
        ServiceStarRead.model_validate(s).model_copy(update={"vendor_name": names.vendor_name(s.vendor_id)})
        for s in rows
    ]
    return to_page(ServiceStarRead, items, total, page)
