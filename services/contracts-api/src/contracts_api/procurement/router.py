"""HTTP routes of the procurements: route decision, records, quotes, bids and scores, renewals."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from fastapi import Depends, Path, Query, Request, Response, status

from contracts_api.common import STAFF_READERS
from contracts_api.contracts import service as contract_service
from contracts_api.contracts.schemas import ContractRead
from contracts_api.models import Procurement
from contracts_api.models.enums import EvaluationMethod, ProcurementCategory, ProcurementStatus, Route
from contracts_api.names import name_parties
from contracts_api.procurement import routing, service
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
    ScoreSheetRead,
    ScoringComponentIn,
    TenderEvaluationRead,
)
from contracts_api.settings import Settings
from houqin_common import clock
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.clients import AppraisalClient
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window, sorted_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page, RenewalCandidate, RouteDecision

router = ServiceRouter(prefix="/procurements", tags=["procurement"], responses=COMMON_ERRORS)
renewals_router = ServiceRouter(prefix="/renewals", tags=["contracts"], responses=COMMON_ERRORS)
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
    decision, _score, _reasons = await routing.decide_route(
        session,
        settings=request.app.state.settings,
        appraisal=appraisal,
        project_code=project_code,
        value=value,
        renewal=renewal,
        predecessor_contract_id=predecessor_contract_id,
    )
    await name_parties(session, [decision])
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
    (the 500,000 CNY threshold first, the micro-service list only below it; for a renewal the incumbent's
    eligibility and its appraisal of the last year completed before the contract ends, read from the
    appraisal service). A tender route records the procurement document's evaluation method (综合评分法
    or 最低评标价法, Order No. 87 art. 53), refused (422) for other routes or a price weight below the
    minimum. When appraisal is unreachable: 503, nothing recorded."""
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
    page: PageParams = Depends(sorted_page("-created_at")),
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
    items = [procurement_read(r, settings) for r in rows]
    await name_parties(session, items)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{procurement_id}", response_model=ProcurementRead, responses=problem_responses(404))
async def get_procurement(
    request: Request,
    session: DbSession,
    procurement_id: str = ProcurementId,
    _: Principal = Depends(require_roles(*STAFF_READERS)),
) -> ProcurementRead:
    """One procurement with its route and reasons."""
    answer = procurement_read(await service.get(session, procurement_id=procurement_id), request.app.state.settings)
    await name_parties(session, [answer])
    return answer


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
    answer = BidRead(id=bid.id, vendor_id=bid.vendor_id, amount=bid.amount, scores=[], mean_score=None, rank=None)
    await name_parties(session, [answer])
    return answer


@router.post(
    "/{procurement_id}/bids/{bid_id}/scores",
    status_code=status.HTTP_201_CREATED,
    response_model=list[BidRead],
    responses=problem_responses(404, 409, 422),
)
async def score_bid(
    score_in: BidScoreCreate,
    session: DbSession,
    procurement_id: str = ProcurementId,
    bid_id: str = Path(max_length=36, description="bid id"),
    principal: Principal = Depends(require_roles(Role.reviewer)),
) -> list[BidRead]:
    """An expert's score sheet for a bid, filled in independently (once per expert): under 综合评分法 a
    score for every non-price component of the document's scheme (price is computed), under 最低评标价法
    only the compliance finding. Answers the updated ranking."""
    await service.score_bid(
        session, procurement_id=procurement_id, bid_id=bid_id, score_in=score_in, actor=principal.subject
    )
    return (await _evaluation(session, procurement_id)).bids


async def _evaluation(session: DbSession, procurement_id: str) -> TenderEvaluationRead:
    ev = await service.evaluate(session, procurement_id=procurement_id)
    rows = []
    for r in ev.result.rows:
        sheets = ev.sheets.get(r.vendor_id, [])
        rows.append(
            BidRead(
                id=ev.bids[r.vendor_id].id,
                vendor_id=r.vendor_id,
                amount=r.amount,
                scores=[s.score for s in sheets if s.score is not None],
                mean_score=float(r.total) if r.total is not None else None,
                rank=r.rank,
                compliant=r.compliant,
                price_score=r.price_score,
                component_means=r.component_means,
                total=r.total,
                sheets=[
                    ScoreSheetRead(
                        reviewer=s.reviewer, components=s.components or {}, compliant=s.compliant, comment=s.comment
                    )
                    for s in sheets
                ],
                disqualification=r.exclusion,
            )
        )
    await name_parties(session, rows)
    return TenderEvaluationRead(
        procurement_id=procurement_id,
        method=EvaluationMethod(ev.scheme.method),
        method_label_zh=EvaluationMethod(ev.scheme.method).label_zh,
        category=ProcurementCategory(ev.scheme.category),
        scheme=[ScoringComponentIn(code=c.code, weight=c.weight) for c in ev.scheme.components],
        bids=rows,
        winner_vendor_id=ev.result.winner,
        winner_vendor_name=next((b.vendor_name for b in rows if b.vendor_id == ev.result.winner), None),
        winning_reason=ev.result.winning_reason,
        explanation=ev.result.explanation,
    )


@router.get("/{procurement_id}/bids", response_model=list[BidRead], responses=problem_responses(404, 409))
async def list_bids(
    session: DbSession,
    procurement_id: str = ProcurementId,
    _: Principal | None = Depends(require_roles(*STAFF_READERS)),
) -> list[BidRead]:
    """The bids ranked by the document's method (综合评分法: total, then lower price; 最低评标价法: price);
    non-compliant and ineligible bids last, unranked, with why."""
    return (await _evaluation(session, procurement_id)).bids


@router.get(
    "/{procurement_id}/evaluation",
    response_model=TenderEvaluationRead,
    responses={**problem_responses(404, 409), 200: {"content": {"text/csv": {}}}},
)
async def get_tender_evaluation(
    session: DbSession,
    procurement_id: str = ProcurementId,
    format_: str = Query("json", alias="format", pattern="^(json|csv)$", description="`json` or `csv` (score table)"),
    _: Principal | None = Depends(require_roles(*STAFF_READERS)),
) -> TenderEvaluationRead | Response:
    """The evaluation report (Order No. 87 arts. 54-55): method, scheme, every expert's sheet, the price
    benchmark and price scores, totals, the ranking and the winning reason. `format=csv` exports the full
    score table (one line per expert sheet, then one line per bid with its means, price score and total)."""
    report = await _evaluation(session, procurement_id)
    if format_ == "json":
        return report
    codes = [c.code for c in report.scheme if c.code != "price"]
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["rank", "vendor_id", "amount", "reviewer", *codes, "compliant", "price_score", "total"])
    for bid in report.bids:
        for sheet in bid.sheets:
            marks = [sheet.components.get(c, "") for c in codes]
            out.writerow(["", bid.vendor_id, bid.amount, sheet.reviewer, *marks, sheet.compliant, "", ""])
        means = [bid.component_means.get(c, "") for c in codes]
        price = bid.price_score if bid.price_score is not None else ""
        out.writerow([bid.rank or "", bid.vendor_id, bid.amount, "mean", *means, bid.compliant, price, bid.total or ""])
    out.writerow(["winner", report.winner_vendor_id or "", "", report.winning_reason or ""])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="evaluation-{procurement_id}.csv"'},
    )


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
    return contract_service.contract_read(contract)


@renewals_router.get("", response_model=Page[RenewalCandidate])
async def list_renewals(
    request: Request,
    session: DbSession,
    within_days: int = Query(90, ge=0, le=3650, description="contracts ending within this many days"),
    as_of: date | None = Query(
        None, description="count the days from this date instead of today (plan a renewal round ahead)"
    ),
    page: PageParams = Depends(page_window),
    appraisal: AppraisalClient = Depends(get_appraisal),
    principal: Principal = Depends(require_roles(*STAFF_READERS)),
) -> Page[RenewalCandidate]:
    """Signed or active contracts ending within `within_days` days and not yet renewed, soonest first,
    each with the recommended route of its next period (null, with the reason, when the appraisal it
    needs could not be read)."""
    today = as_of or clock.today()
    rows, total = await service.ending_between(
        session,
        start=today,
        end=today + timedelta(days=within_days),
        only_vendor_id=vendor_scope(principal),
        limit=page.limit,
        offset=page.offset,
    )
    items = await routing.renewal_candidates(
        session, settings=request.app.state.settings, appraisal=appraisal, contracts=rows, today=today
    )
    await name_parties(session, items)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
