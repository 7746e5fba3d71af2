"""The official scores (/v1/scores): the published version of a period when there is one, computed (and
marked provisional) otherwise. Publication owns it because it decides which of the two answers."""

from __future__ import annotations

from fastapi import Depends, Query

from appraisal.dependencies import AppSettings, Directory, Telemetry, Today, check_vendor_scope
from appraisal.publication import service as publication_service
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.i18n import N_
from houqin_common.pagination import PageParams, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page, Period, ScoreBatchItem, ScoreBatchRequest, VendorScore

router = ServiceRouter(prefix="/scores", tags=["scores"], responses=COMMON_ERRORS)

PeriodQuery = Query(description="`2026` (annual), `2026H1` or `2026H2`", examples=["2026"])


@router.get("", response_model=Page[VendorScore])
async def list_scores(
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    directory: Directory,
    today: Today,
    period: Period = PeriodQuery,
    limit: int = Query(100, ge=1, le=500, description="page size"),
    offset: int = Query(0, ge=0, description="records to skip"),
    principal: Principal = Depends(
        require_roles(Role.supervisor, Role.inspector, Role.procurement, Role.vendor, *READ_ALL)
    ),
) -> Page[VendorScore]:
    """Ranking of every vendor with appraisal data in the period, best first (`rank` set).

    Each score carries its breakdown; `complete=false` marks a total computed while a KPI source
    (telemetry-ingest) was unavailable. A published period answers its latest published version
    (`published_version`); an unpublished one is computed now and marked `provisional`. A vendor token
    sees only its own line (with its rank).
    """
    ranking, _pub = await publication_service.official_ranking(
        session, period=period, settings=settings, kpis=telemetry, today=today, directory=directory
    )
    if principal.is_vendor_only:
        ranking = [s for s in ranking if s.vendor_id == principal.vendor_id]
    page = PageParams(limit=limit, offset=offset, sort=None)
    return to_page(VendorScore, ranking[offset : offset + limit], len(ranking), page)


@router.post("/batch", response_model=list[ScoreBatchItem], responses=problem_responses(422))
async def batch_scores(
    batch_in: ScoreBatchRequest,
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    directory: Directory,
    today: Today,
    _: Principal = Depends(require_roles(Role.supervisor, Role.procurement, *READ_ALL)),
) -> list[ScoreBatchItem]:
    """Many vendors' scores in one request (a read; POST only to carry the list): each period is ranked
    once, from its published version when there is one. A pair without data answers `score: null`."""
    by_period: dict[str, dict[str, VendorScore]] = {}
    for period in sorted({q.period for q in batch_in.items}):
        ranking, _pub = await publication_service.official_ranking(
            session, period=period, settings=settings, kpis=telemetry, today=today, directory=directory
        )
        by_period[period] = {s.vendor_id: s for s in ranking}
    seen: set[tuple[str, str]] = set()
    out: list[ScoreBatchItem] = []
    for q in batch_in.items:
        if (q.vendor_id, q.period) in seen:
            continue
        seen.add((q.vendor_id, q.period))
        out.append(ScoreBatchItem(vendor_id=q.vendor_id, period=q.period, score=by_period[q.period].get(q.vendor_id)))
    return out


@router.get("/{vendor_id}", response_model=VendorScore, responses=problem_responses(404))
async def get_vendor_score(
    vendor_id: str,
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    directory: Directory,
    today: Today,
    period: Period = PeriodQuery,
    principal: Principal = Depends(
        require_roles(Role.supervisor, Role.inspector, Role.procurement, Role.vendor, *READ_ALL)
    ),
) -> VendorScore:
    """A vendor's score for a half-year or a year with the breakdown that explains it, and its rank.

    404 when the vendor has no appraisal data in the period (or is another vendor's, for a vendor token).
    """
    check_vendor_scope(principal, vendor_id, N_("vendor score"))
    return await publication_service.official_score(
        session,
        vendor_id=vendor_id,
        period=period,
        settings=settings,
        kpis=telemetry,
        today=today,
        directory=directory,
    )
