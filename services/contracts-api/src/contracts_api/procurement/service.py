"""Procurement: routes (with the appraisal call for renewals), quotes, bids, award."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api import audit
from contracts_api.contracts import repository as contract_repository
from contracts_api.contracts import service as contract_service
from contracts_api.contracts.schemas import ContractCreate
from contracts_api.models import Bid, BidScore, Contract, Procurement, Project, Quote
from contracts_api.models.enums import ProcurementStatus, Route
from contracts_api.procurement import rules
from contracts_api.procurement.schemas import AwardCreate, BidCreate, BidScoreCreate, ProcurementCreate, QuoteCreate
from contracts_api.settings import Settings
from contracts_api.vendors import service as vendor_service
from houqin_common import clock
from houqin_common.clients import ApiError, NotFoundError, ServiceUnavailableError
from houqin_common.errors import Conflict, NotFound, ServiceUnavailable, UnprocessableEntity
from houqin_common.schemas import RouteDecision, VendorScore

PROCUREMENT_SORTS = {"created_at": Procurement.created_at, "estimated_value": Procurement.estimated_value}


def policy(settings: Settings) -> rules.RoutePolicy:
    return rules.RoutePolicy(
        open_tender_threshold=settings.open_tender_threshold,
        micro_projects=frozenset(settings.micro_projects),
        appraisal_weighted_projects=frozenset(settings.appraisal_weighted_projects),
        renewal_min_total=settings.renewal_min_total,
        renewal_min_quality=settings.renewal_min_quality,
        renewal_min_satisfaction=settings.renewal_min_satisfaction,
    )


def appraisal_period(predecessor: Contract) -> str:
    """The last contract period: the year the renewed contract started in."""
    return str(predecessor.start_date.year)


class ScoreSource(Protocol):
    async def vendor_score(self, vendor_id: str, period: str) -> VendorScore: ...


class RememberOutage:
    """Wraps a score source so that, within one request, an unreachable appraisal is asked only once."""

    def __init__(self, inner: ScoreSource) -> None:
        self.inner = inner
        self.outage: ServiceUnavailableError | None = None

    async def vendor_score(self, vendor_id: str, period: str) -> VendorScore:
        if self.outage is not None:
            raise self.outage
        try:
            return await self.inner.vendor_score(vendor_id, period)
        except ServiceUnavailableError as exc:
            self.outage = exc
            raise


async def fetch_score(appraisal: ScoreSource, *, vendor_id: str, period: str) -> VendorScore | None:
    """The incumbent's score; None when appraisal has none for the period; 503 when it cannot be read."""
    try:
        return await appraisal.vendor_score(vendor_id, period)
    except NotFoundError as exc:
        # A 404 from a missing route (older appraisal) is an outage, not "no score for the period".
        if not str(exc.problem.get("detail", "")).startswith("No route"):
            return None
        raise _undecidable(period, exc) from exc
    except ApiError as exc:
        raise _undecidable(period, exc) from exc


def _undecidable(period: str, exc: ApiError) -> ServiceUnavailable:
    return ServiceUnavailable(
        "The procurement route could not be decided: the renewal depends on the incumbent's "
        f"{period} appraisal and the appraisal service could not provide it ({exc}). Nothing was guessed; "
        "retry when appraisal is available.",
        dependency="appraisal",
        appraisal_status=exc.status,
    )


async def decide_route(
    session: AsyncSession,
    *,
    settings: Settings,
    appraisal: ScoreSource,
    project_code: str,
    value: Decimal,
    renewal: bool,
    predecessor_contract_id: str | None,
) -> tuple[RouteDecision, VendorScore | None]:
    """The route and the appraisal it rests on; 503 when a needed appraisal cannot be read."""
    project = await session.get(Project, project_code)
    if project is None:
        raise UnprocessableEntity(
            f"unknown project {project_code}",
            **{"invalid-params": [{"name": "project_code", "reason": "no such project"}]},
        )
    predecessor: Contract | None = None
    if renewal:
        if predecessor_contract_id:
            predecessor = await contract_repository.get(session, predecessor_contract_id)
            if predecessor is None or predecessor.project_code != project_code:
                raise UnprocessableEntity(f"contract {predecessor_contract_id} is not a contract of {project_code}")
        else:
            predecessor = await contract_repository.latest_for_project(session, project_code)
            if predecessor is None:
                raise UnprocessableEntity(f"renewal of {project_code}: the project has no contract to renew")
    elif predecessor_contract_id:
        raise UnprocessableEntity("predecessor_contract_id is only meaningful with renewal=true")
    pol = policy(settings)
    incumbent_reasons: list[str] = []
    score: VendorScore | None = None
    period: str | None = None
    if predecessor is not None:
        incumbent_reasons = (await vendor_service.eligibility(session, vendor_id=predecessor.vendor_id)).reasons
        period = appraisal_period(predecessor)
        if rules.needs_appraisal(
            project_code=project_code, value=value, renewal=True, incumbent_eligible=not incumbent_reasons, policy=pol
        ):
            score = await fetch_score(appraisal, vendor_id=predecessor.vendor_id, period=period)
    decision = rules.recommend_route(
        project_code=project_code,
        value=value,
        renewal=renewal,
        policy=pol,
        incumbent_reasons=incumbent_reasons,
        score=score,
        period=period,
    )
    return RouteDecision(
        project_code=project_code,
        estimated_value=value,
        renewal=renewal,
        route=decision.route,
        route_label_zh=decision.route.label_zh,
        reasons=decision.reasons,
        incumbent_vendor_id=predecessor.vendor_id if predecessor else None,
        predecessor_contract_id=predecessor.id if predecessor else None,
        appraisal_period=period,
    ), score


async def create(
    session: AsyncSession,
    *,
    procurement_in: ProcurementCreate,
    settings: Settings,
    appraisal: ScoreSource,
    actor: str,
) -> Procurement:
    decision, score = await decide_route(
        session,
        settings=settings,
        appraisal=appraisal,
        project_code=procurement_in.project_code,
        value=procurement_in.estimated_value,
        renewal=procurement_in.renewal,
        predecessor_contract_id=procurement_in.predecessor_contract_id,
    )
    project = await session.get(Project, procurement_in.project_code)
    assert project is not None
    procurement = Procurement(
        project_code=project.code,
        title=procurement_in.title or f"{project.name_zh}服务采购",
        estimated_value=procurement_in.estimated_value,
        is_renewal=procurement_in.renewal,
        predecessor_contract_id=decision.predecessor_contract_id,
        incumbent_vendor_id=decision.incumbent_vendor_id,
        route=decision.route,
        reasons=decision.reasons,
        appraisal=score.model_dump(mode="json") if score else None,
        status=ProcurementStatus.open,
        created_by=actor,
    )
    session.add(procurement)
    await session.flush()
    await session.refresh(procurement)
    await audit.record(
        session,
        actor=actor,
        action="procurement.create",
        entity_type="procurement",
        entity_id=procurement.id,
        data={"route": decision.route, "reasons": decision.reasons},
    )
    return procurement


async def get(session: AsyncSession, *, procurement_id: str, for_update: bool = False) -> Procurement:
    procurement = await session.get(Procurement, procurement_id, with_for_update=for_update)
    if procurement is None:
        raise NotFound(f"procurement {procurement_id} not found")
    return procurement


async def list_page(
    session: AsyncSession, *, filters: dict[str, Any], sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Procurement], int]:
    stmt = select(Procurement)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Procurement, key) == value)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    column = PROCUREMENT_SORTS[sort]
    stmt = stmt.order_by(column.desc() if desc else column.asc(), Procurement.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)


def _require_open(procurement: Procurement, *routes: Route) -> None:
    if procurement.status != ProcurementStatus.open:
        raise Conflict(f"procurement {procurement.id} is {procurement.status}, no longer open")
    if routes and procurement.route not in routes:
        raise Conflict(f"procurement {procurement.id} goes by {procurement.route}, not {' or '.join(routes)}")


async def add_quote(session: AsyncSession, *, procurement_id: str, quote_in: QuoteCreate, actor: str) -> Quote:
    procurement = await get(session, procurement_id=procurement_id, for_update=True)
    _require_open(procurement, Route.price_comparison)
    await vendor_service.get(session, vendor_id=quote_in.vendor_id)
    exists = await session.execute(
        select(Quote.id).where(Quote.procurement_id == procurement_id, Quote.vendor_id == quote_in.vendor_id)
    )
    if exists.first():
        raise Conflict(f"vendor {quote_in.vendor_id} already quoted for this procurement")
    return await audit.add_recorded(
        session,
        Quote(procurement_id=procurement_id, **quote_in.model_dump()),
        actor=actor,
        action="quote.create",
        entity_type="procurement",
        entity_id=procurement_id,
        data=quote_in.model_dump(mode="json"),
    )


async def quotes(session: AsyncSession, procurement_id: str) -> list[Quote]:
    rows = await session.execute(
        select(Quote).where(Quote.procurement_id == procurement_id).order_by(Quote.created_at, Quote.id)
    )
    return list(rows.scalars())


async def price_comparison(session: AsyncSession, *, procurement_id: str, settings: Settings) -> rules.PriceComparison:
    procurement = await get(session, procurement_id=procurement_id)
    if procurement.route != Route.price_comparison:
        raise Conflict(f"procurement {procurement_id} goes by {procurement.route}, not price comparison")
    facts = []
    for q in await quotes(session, procurement_id):
        verdict = await vendor_service.eligibility(session, vendor_id=q.vendor_id)
        facts.append(rules.QuoteFact(q.vendor_id, q.amount, verdict.reasons))
    return rules.compare_prices(facts, min_valid=settings.min_valid_quotes)


async def add_bid(session: AsyncSession, *, procurement_id: str, bid_in: BidCreate, actor: str) -> Bid:
    procurement = await get(session, procurement_id=procurement_id, for_update=True)
    _require_open(procurement, Route.open_tender, Route.designated_tender)
    await vendor_service.get(session, vendor_id=bid_in.vendor_id)
    exists = await session.execute(
        select(Bid.id).where(Bid.procurement_id == procurement_id, Bid.vendor_id == bid_in.vendor_id)
    )
    if exists.first():
        raise Conflict(f"vendor {bid_in.vendor_id} already bid for this procurement")
    return await audit.add_recorded(
        session,
        Bid(procurement_id=procurement_id, **bid_in.model_dump()),
        actor=actor,
        action="bid.create",
        entity_type="procurement",
        entity_id=procurement_id,
        data=bid_in.model_dump(mode="json"),
    )


async def score_bid(
    session: AsyncSession, *, procurement_id: str, bid_id: str, score_in: BidScoreCreate, actor: str
) -> BidScore:
    procurement = await get(session, procurement_id=procurement_id)
    _require_open(procurement)
    bid = await session.get(Bid, bid_id)
    if bid is None or bid.procurement_id != procurement_id:
        raise NotFound(f"bid {bid_id} of procurement {procurement_id} not found")
    existing = await session.execute(select(BidScore.id).where(BidScore.bid_id == bid_id, BidScore.reviewer == actor))
    if existing.first():
        raise Conflict(f"{actor} already scored bid {bid_id}")
    score = BidScore(bid_id=bid_id, reviewer=actor, **score_in.model_dump())
    session.add(score)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="bid.score",
        entity_type="procurement",
        entity_id=procurement_id,
        data={"bid_id": bid_id, **score_in.model_dump(mode="json")},
    )
    return score


async def ranked_bids(session: AsyncSession, *, procurement_id: str) -> list[tuple[Bid, rules.BidFact, float | None]]:
    await get(session, procurement_id=procurement_id)
    bids = list((await session.execute(select(Bid).where(Bid.procurement_id == procurement_id))).scalars())
    scores = await session.execute(
        select(BidScore.bid_id, BidScore.score)
        .join(Bid, Bid.id == BidScore.bid_id)
        .where(Bid.procurement_id == procurement_id)
    )
    by_bid: dict[str, list[float]] = {}
    for bid_id, value in scores:
        by_bid.setdefault(bid_id, []).append(value)
    facts: dict[str, tuple[Bid, rules.BidFact]] = {}
    for bid in bids:
        reasons = (await vendor_service.eligibility(session, vendor_id=bid.vendor_id)).reasons
        facts[bid.vendor_id] = (bid, rules.BidFact(bid.vendor_id, bid.amount, by_bid.get(bid.id, []), reasons))
    ranked = rules.rank_bids([f for _, f in facts.values()])
    return [(facts[f.vendor_id][0], f, mean) for f, mean in ranked]


async def award(
    session: AsyncSession, *, procurement_id: str, award_in: AwardCreate, settings: Settings, actor: str
) -> Contract:
    """Award the procurement and draft its contract; 409 naming the ground for an ineligible vendor."""
    procurement = await get(session, procurement_id=procurement_id, for_update=True)
    _require_open(procurement)
    vendor_id = award_in.vendor_id
    value = award_in.value
    if procurement.route == Route.price_comparison:
        result = await price_comparison(session, procurement_id=procurement_id, settings=settings)
        if not result.decided:
            raise Conflict("the price comparison is not decided: " + "; ".join(result.explanation))
        if vendor_id is None:
            vendor_id, value = result.winner, value or result.winning_amount
        elif vendor_id != result.winner:
            await vendor_service.require_eligible(session, vendor_id=vendor_id, action="award the procurement")
            raise Conflict(f"the price comparison was won by {result.winner}, not {vendor_id}")
    elif procurement.route in (Route.open_tender, Route.designated_tender) and vendor_id is None:
        ranked = await ranked_bids(session, procurement_id=procurement_id)
        best = next(((b, m) for b, f, m in ranked if not f.exclusion and m is not None), None)
        if best is None:
            raise Conflict("no scored bid from an eligible vendor to award")
        vendor_id, value = best[0].vendor_id, value or best[0].amount
    elif procurement.route == Route.single_source and vendor_id is None:
        vendor_id = procurement.incumbent_vendor_id
    if vendor_id is None:
        raise UnprocessableEntity("vendor_id is required for this award")
    await vendor_service.get(session, vendor_id=vendor_id)
    await vendor_service.require_eligible(session, vendor_id=vendor_id, action="award the procurement")
    if procurement.route == Route.single_source and vendor_id != procurement.incumbent_vendor_id:
        raise Conflict("a single-source renewal can only be awarded to the incumbent")
    final_value = value if value is not None else procurement.estimated_value
    project = await session.get(Project, procurement.project_code)
    contract = await contract_service.create(
        session,
        contract_in=ContractCreate(
            project_code=procurement.project_code,
            vendor_id=vendor_id,
            title=award_in.title or f"{project.name_zh if project else procurement.project_code}服务合同",
            value=final_value,
            start_date=award_in.start_date,
            end_date=award_in.end_date,
            route=Route(procurement.route),
            procurement_id=procurement.id,
            predecessor_id=procurement.predecessor_contract_id if procurement.is_renewal else None,
        ),
        actor=actor,
        action="contract.create_from_award",
    )
    procurement.status = ProcurementStatus.awarded
    procurement.awarded_vendor_id = vendor_id
    procurement.awarded_value = final_value
    procurement.awarded_at = clock.now()
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="procurement.award",
        entity_type="procurement",
        entity_id=procurement.id,
        contract_id=contract.id,
        data={"vendor_id": vendor_id, "value": str(final_value)},
    )
    return contract
