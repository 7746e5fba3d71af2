"""Canteen endpoints (/v1/canteen): purchases and covers by the management office, settlements, statement."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import Depends, Query, status
from fastapi.responses import Response

from appraisal.canteen import service
from appraisal.canteen.schemas import (
    MONTH_PATTERN,
    CanteenOverview,
    CorrectionCreate,
    CoversCreate,
    CoversRead,
    PurchaseCreate,
    PurchaseRead,
    SettlementCreate,
    SettlementRead,
)
from appraisal.canteen.statement import settlement_xlsx
from appraisal.dependencies import AppSettings, Directory
from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/canteen", tags=["canteen"], responses=COMMON_ERRORS)

OFFICE = (Role.office,)
#: the office and the supervisors see every line; the catering vendor sees its own settlements
SETTLEMENT_READERS = (Role.office, Role.supervisor, Role.vendor, *READ_ALL)
LINE_READERS = (Role.office, Role.supervisor, *READ_ALL)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post(
    "/purchases",
    status_code=status.HTTP_201_CREATED,
    response_model=PurchaseRead,
    responses=problem_responses(409, 422),
)
async def create_purchase(
    purchase_in: PurchaseCreate,
    session: DbSession,
    settings: AppSettings,
    principal: Principal = Depends(require_roles(*OFFICE)),
) -> PurchaseRead:
    """Record an ingredient delivery (食材采购) with its food-safety checks at the door. A rejected delivery
    is recorded with its reason and costs nothing. 409 when the month is signed off; 422 for a negative
    quantity, a unit other than the item's first one (unit mismatch) or an accepted delivery that failed a check."""
    purchase = await service.record_purchase(
        session, purchase_in=purchase_in, settings=settings, recorder=principal.subject
    )
    return service.purchase_read(purchase)


@router.get("/purchases", response_model=Page[PurchaseRead], responses=problem_responses(422))
async def list_purchases(
    session: DbSession,
    month: str = Query(pattern=MONTH_PATTERN, description="month, `YYYY-MM`", examples=["2026-03"]),
    canteen: str = Query("main", max_length=64, description="canteen code"),
    limit: int = Query(100, ge=1, le=1000, description="page size"),
    offset: int = Query(0, ge=0, description="records to skip"),
    _: Principal = Depends(require_roles(*LINE_READERS)),
) -> Page[PurchaseRead]:
    """The month's deliveries, accepted and rejected, by day."""
    rows, total = await service.list_purchases(session, canteen=canteen, month=month, limit=limit, offset=offset)
    return Page[PurchaseRead](items=[service.purchase_read(p) for p in rows], total=total, limit=limit, offset=offset)


@router.post(
    "/covers", status_code=status.HTTP_201_CREATED, response_model=CoversRead, responses=problem_responses(409, 422)
)
async def create_covers(
    covers_in: CoversCreate,
    session: DbSession,
    settings: AppSettings,
    principal: Principal = Depends(require_roles(*OFFICE)),
) -> CoversRead:
    """Record the covers (就餐人次) and takings of one meal in one price tier. 422 when the tier is unknown
    or the average price per cover lies outside its band; 409 when already recorded or the month is signed off."""
    row = await service.record_covers(session, covers_in=covers_in, settings=settings, recorder=principal.subject)
    return CoversRead.model_validate(row)


@router.get("/covers", response_model=list[CoversRead], responses=problem_responses(422))
async def list_covers(
    session: DbSession,
    month: str = Query(pattern=MONTH_PATTERN, description="month, `YYYY-MM`", examples=["2026-03"]),
    canteen: str = Query("main", max_length=64, description="canteen code"),
    _: Principal = Depends(require_roles(*LINE_READERS)),
) -> list[CoversRead]:
    """The month's covers and takings per day, meal and tier."""
    return [CoversRead.model_validate(c) for c in await service.list_covers(session, canteen=canteen, month=month)]


@router.get("/overview", response_model=CanteenOverview, responses=problem_responses(422))
async def get_overview(
    session: DbSession,
    settings: AppSettings,
    start: date = Query(description="first day", examples=["2026-01-01"]),
    end: date = Query(description="day after the last", examples=["2027-01-01"]),
    canteen: str = Query("main", max_length=64, description="canteen code"),
    _: Principal = Depends(require_roles(*LINE_READERS)),
) -> CanteenOverview:
    """Price-tier availability (5–6 元能吃饱、7–8 元能吃好、10 元以上能精挑 by default) shown beside the
    satisfaction survey results on the canteen's items (campaigns closed in the range)."""
    return await service.overview(session, canteen=canteen, start=start, end=end, settings=settings)


@router.post(
    "/settlements",
    status_code=status.HTTP_201_CREATED,
    response_model=SettlementRead,
    responses=problem_responses(409, 422),
)
async def create_settlement(
    settlement_in: SettlementCreate,
    session: DbSession,
    principal: Principal = Depends(require_roles(*OFFICE)),
) -> SettlementRead:
    """Compute the month's settlement (经营结算) as a draft, or recompute the existing draft. The catering
    fee is entered with the settlement with its source (the contract clause); appraisal does not read it from
    contracts-api. 409 once the month is signed off (correct it instead)."""
    row = await service.prepare(session, settlement_in=settlement_in, preparer=principal.subject)
    return service.to_read(row)


@router.get("/settlements", response_model=Page[SettlementRead])
async def list_settlements(
    session: DbSession,
    directory: Directory,
    canteen: str | None = Query(None, max_length=64, description="only this canteen"),
    month: str | None = Query(None, pattern=MONTH_PATTERN, description="only this month"),
    limit: int = Query(50, ge=1, le=500, description="page size"),
    offset: int = Query(0, ge=0, description="records to skip"),
    principal: Principal = Depends(require_roles(*SETTLEMENT_READERS)),
) -> Page[SettlementRead]:
    """Settlement versions, newest month first. The catering vendor sees the settlements naming it."""
    rows, total = await service.list_settlements(
        session, canteen=canteen, month=month, vendor_id=vendor_scope(principal), limit=limit, offset=offset
    )
    names = await service.vendor_names(directory, rows)
    return Page[SettlementRead](
        items=[service.to_read(r, names.get(r.catering_vendor_id or "")) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/settlements/{settlement_id}", response_model=SettlementRead, responses=problem_responses(404))
async def get_settlement(
    settlement_id: str,
    session: DbSession,
    directory: Directory,
    principal: Principal = Depends(require_roles(*SETTLEMENT_READERS)),
) -> SettlementRead:
    """One settlement version (a vendor sees only its own: 404 otherwise)."""
    row = await service.get_visible(session, settlement_id=settlement_id, principal=principal)
    names = await service.vendor_names(directory, [row])
    return service.to_read(row, names.get(row.catering_vendor_id or ""))


@router.post(
    "/settlements/{settlement_id}/sign-off", response_model=SettlementRead, responses=problem_responses(404, 409)
)
async def sign_off_settlement(
    settlement_id: str, session: DbSession, principal: Principal = Depends(require_roles(*OFFICE))
) -> SettlementRead:
    """Recompute the draft from the month's lines and sign it off: it is locked and the month refuses new
    purchases and covers (409)."""
    return service.to_read(await service.sign_off(session, settlement_id=settlement_id, principal=principal))


@router.post(
    "/settlements/{settlement_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=SettlementRead,
    responses=problem_responses(404, 409, 422),
)
async def correct_settlement(
    settlement_id: str,
    correction_in: CorrectionCreate,
    session: DbSession,
    principal: Principal = Depends(require_roles(*OFFICE)),
) -> SettlementRead:
    """Correct the latest signed-off version: a new version with the reason (the earlier one is kept)."""
    row = await service.correct(session, settlement_id=settlement_id, correction_in=correction_in, principal=principal)
    return service.to_read(row)


@router.get(
    "/settlements/{settlement_id}/statement",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the XLSX statement"}, **problem_responses(404)},
)
async def download_statement(
    settlement_id: str,
    session: DbSession,
    settings: AppSettings,
    directory: Directory,
    principal: Principal = Depends(require_roles(*SETTLEMENT_READERS)),
) -> Response:
    """The settlement statement (经营结算单) as XLSX, in Chinese unless English is asked for."""
    row = await service.get_visible(session, settlement_id=settlement_id, principal=principal)
    names = await service.vendor_names(directory, [row])
    data = settlement_xlsx(service.to_read(row, names.get(row.catering_vendor_id or "")), settings.canteen_price_tiers)
    return Response(
        data,
        media_type=XLSX,
        headers={
            # the canteen's name is free text: an ASCII name plus the UTF-8 one (RFC 6266), never a 500
            "Content-Disposition": f'attachment; filename="canteen-{row.month}-v{row.version}.xlsx"; '
            f"filename*=UTF-8''{quote(f'canteen-{row.canteen}-{row.month}-v{row.version}.xlsx', safe='')}"
        },
    )
