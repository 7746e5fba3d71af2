from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from contracts_api.common import STAFF_READERS
from contracts_api.contracts import repository as contract_repository
from contracts_api.contracts import service as contract_service
from contracts_api.contracts.schemas import ContractRead
from contracts_api.contracts.service import contract_read
from contracts_api.models import Procurement
from contracts_api.models.enums import ProcurementStatus, Route
from contracts_api.procurement import service
from contracts_api.procurement.dependencies import get_appraisal
from contracts_api.procurement.schemas import (
    AwardCreate,
    BidCreate,
    BidRead,
    BidScoreCreate,
    PriceComparisonRead,
    ProcurementCreate,
    ProcurementRead,
    QuoteCreate,
    QuoteRead,
    RankedQuote,
)
from contracts_api.settings import Settings
from houqin_common import clock
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.clients import AppraisalClient
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, ProblemError, problem_responses
from houqin_common.pagination import PageParams, page_params
from houqin_common.schemas import ContractRef, Page, RenewalCandidate, RouteDecision

router = APIRouter(prefix="/procurements", tags=["procurement"], responses=COMMON_ERRORS)
renewals_router = APIRouter(prefix="/renewals", tags=["contracts"], responses=COMMON_ERRORS)
ProcurementId = Path(max_length=36, description="procurement id")


def ocid(settings: Settings, procurement_id: str) -> str:
    return f"{settings.ocid_prefix}-{procurement_id}"


def procurement_read(procurement: Procurement, settings: Settings) -> ProcurementRead:
    data = {c.key: getattr(procurement, c.key) for c in Procurement.__table__.columns}
    data["ocid"] = ocid(settings, procurement.id)
    data["route_label_zh"] = Route(procurement.route).label_zh
    return ProcurementRead.model_validate(data)


@router.get("/route", response_model=RouteDecision, responses=problem_responses(422, 503))
async def get_procurement_route(
    request: Request,
    session: DbSession,
    project_code: str = Query(max_length=64, description="service project code"),
    value: Decimal = Query(ge=0, max_digits=14, decimal_places=2, description="estimated value in CNY"),
    renewal: bool = Query(False, description="renews an existing contract"),
    predecessor_contract_id: str | None = Query(None, max_length=36, description="contract renewed"),
    appraisal: AppraisalClient = Depends(get_appraisal),
    _: Principal = Depends(require_roles(Role.procurement, Role.supervisor, Role.auditor)),
) -> RouteDecision:
    """The route a procurement would take, with the reasons; nothing is recorded. 503 when a renewal's
    appraisal cannot be read (the route is never guessed)."""
    decision, _score = await service.decide_route(
        session,
        settings=request.app.state.settings,
        appraisal=appraisal,
        project_code=project_code,
        value=value,
        renewal=renewal,
        predecessor_contract_id=predecessor_contract_id,
    )
    return decision


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ProcurementRead, responses=problem_responses(422, 503)
)
async def create_procurement(
    procurement_in: ProcurementCreate,
    request: Request,
    session: DbSession,
    appraisal: AppraisalClient = Depends(get_appraisal),
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ProcurementRead:
    """Open a procurement for a project; the response carries the recommended route and the reasons
    (500,000 CNY threshold, micro-service list; for a renewal the incumbent's eligibility and last-period
    appraisal, read from the appraisal service). When appraisal is unreachable: 503, nothing recorded."""
    settings = request.app.state.settings
    procurement = await service.create(
        session, procurement_in=procurement_in, settings=settings, appraisal=appraisal, actor=principal.subject
    )
    return procurement_read(procurement, settings)


@router.get("", response_model=Page[ProcurementRead])
async def list_procurements(
    request: Request,
    session: DbSession,
    project_code: str | None = Query(None, max_length=64, description="project"),
    route: Route | None = Query(None, description="route"),
    status_: ProcurementStatus | None = Query(None, alias="status", description="status"),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> Page[ProcurementRead]:
    """List procurements; sort by `created_at` or `estimated_value`."""
    sort, desc = page.order(set(service.PROCUREMENT_SORTS), "-created_at")
    rows, total = await service.list_page(
        session,
        filters={"project_code": project_code, "route": route, "status": status_},
        sort=sort,
        desc=desc,
        limit=page.limit,
        offset=page.offset,
    )
    settings = request.app.state.settings
    return Page(items=[procurement_read(r, settings) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/{procurement_id}", response_model=ProcurementRead, responses=problem_responses(404))
async def get_procurement(
    request: Request,
    session: DbSession,
    procurement_id: str = ProcurementId,
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> ProcurementRead:
    """One procurement with its route and reasons."""
    return procurement_read(await service.get(session, procurement_id=procurement_id), request.app.state.settings)


@router.post(
    "/{procurement_id}/quotes",
    status_code=status.HTTP_201_CREATED,
    response_model=QuoteRead,
    responses=problem_responses(404, 409),
)
async def create_quote(
    quote_in: QuoteCreate,
    session: DbSession,
    procurement_id: str = ProcurementId,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> QuoteRead:
    """Record a vendor's quote for a price comparison (one per vendor)."""
    quote = await service.add_quote(session, procurement_id=procurement_id, quote_in=quote_in, actor=principal.subject)
    return QuoteRead.model_validate(quote)


@router.get(
    "/{procurement_id}/price-comparison", response_model=PriceComparisonRead, responses=problem_responses(404, 409)
)
async def get_price_comparison(
    request: Request,
    session: DbSession,
    procurement_id: str = ProcurementId,
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> PriceComparisonRead:
    """Evaluate the quotes: at least N valid quotes; the lowest from an eligible vendor wins; ties and
    disqualifications are explained."""
    settings = request.app.state.settings
    result = await service.price_comparison(session, procurement_id=procurement_id, settings=settings)
    ranked = [RankedQuote(vendor_id=q.vendor_id, amount=q.amount, valid=True) for q in result.valid] + [
        RankedQuote(vendor_id=q.vendor_id, amount=q.amount, valid=False, disqualification=q.exclusion)
        for q in result.disqualified
    ]
    return PriceComparisonRead(
        procurement_id=procurement_id,
        decided=result.decided,
        min_valid_quotes=settings.min_valid_quotes,
        winner_vendor_id=result.winner,
        winning_amount=result.winning_amount,
        quotes=ranked,
        explanation=result.explanation,
    )


@router.post(
    "/{procurement_id}/bids",
    status_code=status.HTTP_201_CREATED,
    response_model=BidRead,
    responses=problem_responses(404, 409),
)
async def create_bid(
    bid_in: BidCreate,
    session: DbSession,
    procurement_id: str = ProcurementId,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> BidRead:
    """Record a vendor's bid in a tender (one per vendor)."""
    bid = await service.add_bid(session, procurement_id=procurement_id, bid_in=bid_in, actor=principal.subject)
    return BidRead(id=bid.id, vendor_id=bid.vendor_id, amount=bid.amount, scores=[], mean_score=None, rank=0)


@router.post(
    "/{procurement_id}/bids/{bid_id}/scores",
    status_code=status.HTTP_201_CREATED,
    response_model=list[BidRead],
    responses=problem_responses(404, 409),
)
async def score_bid(
    score_in: BidScoreCreate,
    session: DbSession,
    procurement_id: str = ProcurementId,
    bid_id: str = Path(max_length=36, description="bid id"),
    principal: Principal = Depends(require_roles(Role.reviewer)),
) -> list[BidRead]:
    """A reviewer's evaluation score for a bid (once per reviewer); answers the updated ranking."""
    await service.score_bid(
        session, procurement_id=procurement_id, bid_id=bid_id, score_in=score_in, actor=principal.subject
    )
    return await list_bids(session, procurement_id=procurement_id)


@router.get("/{procurement_id}/bids", response_model=list[BidRead], responses=problem_responses(404))
async def list_bids(
    session: DbSession,
    procurement_id: str = ProcurementId,
    _: Principal | None = Depends(require_roles(*STAFF_READERS)),
) -> list[BidRead]:
    """The bids ranked by mean reviewer score (then lower amount); ineligible vendors last, with why."""
    ranked = await service.ranked_bids(session, procurement_id=procurement_id)
    return [
        BidRead(
            id=bid.id,
            vendor_id=bid.vendor_id,
            amount=bid.amount,
            scores=fact.scores,
            mean_score=mean,
            rank=i,
            disqualification=fact.exclusion,
        )
        for i, (bid, fact, mean) in enumerate(ranked, start=1)
    ]


@router.post(
    "/{procurement_id}/award",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractRead,
    responses=problem_responses(404, 409, 422),
)
async def award_procurement(
    award_in: AwardCreate,
    request: Request,
    response: Response,
    session: DbSession,
    procurement_id: str = ProcurementId,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ContractRead:
    """Award the procurement: creates the draft contract. An ineligible vendor gets 409 naming the ground."""
    contract = await service.award(
        session,
        procurement_id=procurement_id,
        award_in=award_in,
        settings=request.app.state.settings,
        actor=principal.subject,
    )
    response.headers["ETag"] = contract_service.etag(contract)
    return contract_read(contract)


@renewals_router.get("", response_model=Page[RenewalCandidate])
async def list_renewals(
    request: Request,
    session: DbSession,
    within_days: int = Query(90, ge=0, le=3650, description="contracts ending within this many days"),
    as_of: date | None = Query(
        None, description="count the days from this date instead of today (plan a renewal round ahead)"
    ),
    page: PageParams = Depends(page_params),
    appraisal: AppraisalClient = Depends(get_appraisal),
    principal: Principal = Depends(require_roles(*STAFF_READERS)),
) -> Page[RenewalCandidate]:
    """Signed or active contracts ending within `within_days` days and not yet renewed, soonest first,
    each with the recommended route of its next period (null, with the reason, when the appraisal it
    needs could not be read)."""
    today = as_of or clock.today()
    rows, total = await contract_repository.ending_between(
        session,
        start=today,
        end=today + timedelta(days=within_days),
        only_vendor_id=vendor_scope(principal),
        limit=page.limit,
        offset=page.offset,
    )
    items = []
    scores = service.RememberOutage(appraisal)
    for contract in rows:
        try:
            decision, _score = await service.decide_route(
                session,
                settings=request.app.state.settings,
                appraisal=scores,
                project_code=contract.project_code,
                value=contract.value,
                renewal=True,
                predecessor_contract_id=contract.id,
            )
            route, reasons = decision.route, decision.reasons
        except ProblemError as exc:
            route, reasons = None, [f"the next route could not be decided: {exc.detail}"]
        items.append(
            RenewalCandidate(
                contract=ContractRef.model_validate(contract),
                days_left=(contract.end_date - today).days,
                recommended_route=route,
                reasons=reasons,
            )
        )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
