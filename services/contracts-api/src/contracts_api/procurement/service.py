"""Procurement records: create (on the route :mod:`.routing` decides), quotes, bids, evaluation, award."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api import audit
from contracts_api.contracts import repository as contract_repository
from contracts_api.contracts import service as contract_service
from contracts_api.contracts.schemas import ContractCreate
from contracts_api.models import Bid, BidScore, Contract, Procurement, Quote
from contracts_api.models.enums import EvaluationMethod, ProcurementCategory, ProcurementStatus, Route
from contracts_api.ocds import service as ocds_service
from contracts_api.procurement import repository, rules
from contracts_api.procurement.routing import ScoreSource, decide_route
from contracts_api.procurement.schemas import (
    AwardCreate,
    BidCreate,
    BidScoreCreate,
    EvaluationIn,
    ProcurementCreate,
    QuoteCreate,
)
from contracts_api.settings import Settings
from contracts_api.vendors import service as vendor_service
from houqin_common import clock
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.i18n import _

PROCUREMENT_SORTS = repository.PROCUREMENT_SORTS


def scheme_of(evaluation: EvaluationIn | None, settings: Settings) -> rules.ScoringScheme:
    """The procurement document's scheme; the configured default 综合评分法 weights when it names none."""
    method = evaluation.method if evaluation else EvaluationMethod.comprehensive
    category = evaluation.category if evaluation else ProcurementCategory.services
    if evaluation and evaluation.components:
        components = tuple(rules.ScoringComponent(c.code, c.weight) for c in evaluation.components)
    elif method == EvaluationMethod.comprehensive:
        components = tuple(rules.ScoringComponent(k, Decimal(v)) for k, v in settings.tender_default_scheme.items())
    else:
        components = ()
    return rules.ScoringScheme(EvaluationMethod(method), ProcurementCategory(category), components)


def stored_scheme(procurement: Procurement) -> rules.ScoringScheme:
    return rules.ScoringScheme(
        EvaluationMethod(procurement.evaluation_method or EvaluationMethod.comprehensive),
        ProcurementCategory(procurement.category),
        tuple(rules.ScoringComponent(c["code"], Decimal(str(c["weight"]))) for c in procurement.scoring_scheme or []),
    )


async def create(
    session: AsyncSession,
    *,
    procurement_in: ProcurementCreate,
    settings: Settings,
    appraisal: ScoreSource,
    actor: str,
) -> Procurement:
    decision, score, reasons = await decide_route(
        session,
        settings=settings,
        appraisal=appraisal,
        project_code=procurement_in.project_code,
        value=procurement_in.estimated_value,
        renewal=procurement_in.renewal,
        predecessor_contract_id=procurement_in.predecessor_contract_id,
    )
    project = await repository.project(session, procurement_in.project_code)
    assert project is not None
    route = Route(decision.route)
    scheme: rules.ScoringScheme | None = None
    if route in (Route.open_tender, Route.designated_tender):
        scheme = scheme_of(procurement_in.evaluation, settings)
        errors = rules.scheme_errors(
            scheme,
            route=route,
            min_price_weight_services=settings.min_price_weight_services,
            min_price_weight_goods=settings.min_price_weight_goods,
        )
    elif procurement_in.evaluation is not None:
        errors = rules.scheme_errors(
            scheme_of(procurement_in.evaluation, settings),
            route=route,
            min_price_weight_services=settings.min_price_weight_services,
            min_price_weight_goods=settings.min_price_weight_goods,
        )
    else:
        errors = []
    if errors:
        raise UnprocessableEntity(
            _(
                "The procurement document's evaluation method does not fit the route: {errors}",
                errors="; ".join(errors),
            ),
            **{"invalid-params": [{"name": "evaluation", "reason": e} for e in errors]},
        )
    procurement = Procurement(
        project_code=project.code,
        title=procurement_in.title or f"{project.name_zh}服务采购",
        estimated_value=procurement_in.estimated_value,
        is_renewal=procurement_in.renewal,
        predecessor_contract_id=decision.predecessor_contract_id,
        incumbent_vendor_id=decision.incumbent_vendor_id,
        route=decision.route,
        reasons=[r.to_json() for r in reasons],
        appraisal=score.model_dump(mode="json") if score else None,
        evaluation_method=scheme.method.value if scheme else None,
        category=scheme.category.value if scheme else ProcurementCategory.services.value,
        scoring_scheme=[{"code": c.code, "weight": str(c.weight)} for c in scheme.components] if scheme else None,
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
        data={"route": decision.route, "reasons": [r.to_json() for r in reasons]},
    )
    await ocds_service.publish(session, process_id=procurement.id, event="procurement.create", tags=["tender"])
    return procurement


async def get(session: AsyncSession, *, procurement_id: str, for_update: bool = False) -> Procurement:
    procurement = await repository.get(session, procurement_id, for_update=for_update)
    if procurement is None:
        raise NotFound(_("procurement {id} not found", id=procurement_id))
    return procurement


async def list_page(
    session: AsyncSession, *, filters: dict[str, Any], sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Procurement], int]:
    return await repository.list_page(session, filters=filters, sort=sort, desc=desc, limit=limit, offset=offset)


def _require_open(procurement: Procurement, *routes: Route) -> None:
    if procurement.status != ProcurementStatus.open:
        raise Conflict(
            _("this procurement is {status}, no longer open", status=ProcurementStatus(procurement.status).label)
        )
    if routes and procurement.route not in routes:
        raise Conflict(
            _(
                "this procurement goes by {route}, not {expected}",
                route=Route(procurement.route).label,
                expected=" / ".join(Route(r).label for r in routes),
            )
        )


async def add_quote(session: AsyncSession, *, procurement_id: str, quote_in: QuoteCreate, actor: str) -> Quote:
    procurement = await get(session, procurement_id=procurement_id, for_update=True)
    _require_open(procurement, Route.price_comparison)
    await vendor_service.load(session, vendor_id=quote_in.vendor_id)
    if await repository.quote_exists(session, procurement_id, quote_in.vendor_id):
        raise Conflict(_("vendor {vendor} already quoted for this procurement", vendor=quote_in.vendor_id))
    quote = await audit.add_recorded(
        session,
        Quote(procurement_id=procurement_id, **quote_in.model_dump()),
        actor=actor,
        action="quote.create",
        entity_type="procurement",
        entity_id=procurement_id,
        data=quote_in.model_dump(mode="json"),
    )
    await ocds_service.publish(session, process_id=procurement_id, event="quote.create", tags=["tenderUpdate"])
    return quote


async def quotes(session: AsyncSession, procurement_id: str) -> list[Quote]:
    return await repository.quotes(session, procurement_id)


async def price_comparison(session: AsyncSession, *, procurement_id: str, settings: Settings) -> rules.PriceComparison:
    procurement = await get(session, procurement_id=procurement_id)
    if procurement.route != Route.price_comparison:
        raise Conflict(
            _(
                "this procurement goes by {route}, not price comparison",
                route=Route(procurement.route).label,
            )
        )
    facts = []
    for q in await quotes(session, procurement_id):
        vendor = await vendor_service.load(session, vendor_id=q.vendor_id)
        verdict = await vendor_service.eligibility(session, vendor=vendor)
        facts.append(rules.QuoteFact(q.vendor_id, q.amount, verdict.reasons, vendor.name))
    return rules.compare_prices(facts, min_valid=settings.min_valid_quotes)


async def add_bid(session: AsyncSession, *, procurement_id: str, bid_in: BidCreate, actor: str) -> Bid:
    procurement = await get(session, procurement_id=procurement_id, for_update=True)
    _require_open(procurement, Route.open_tender, Route.designated_tender)
    await vendor_service.load(session, vendor_id=bid_in.vendor_id)
    if await repository.bid_exists(session, procurement_id, bid_in.vendor_id):
        raise Conflict(_("vendor {vendor} already bid for this procurement", vendor=bid_in.vendor_id))
    bid = await audit.add_recorded(
        session,
        Bid(procurement_id=procurement_id, **bid_in.model_dump()),
        actor=actor,
        action="bid.create",
        entity_type="procurement",
        entity_id=procurement_id,
        data=bid_in.model_dump(mode="json"),
    )
    await ocds_service.publish(session, process_id=procurement_id, event="bid.create", tags=["tenderUpdate"])
    return bid


async def score_bid(
    session: AsyncSession, *, procurement_id: str, bid_id: str, score_in: BidScoreCreate, actor: str
) -> BidScore:
    """Record one expert's sheet; under 综合评分法 it must score exactly the scheme's non-price components
    (price is computed by the benchmark rule, never scored by hand: Order No. 87 art. 55)."""
    procurement = await get(session, procurement_id=procurement_id)
    _require_open(procurement)
    bid = await repository.get_bid(session, bid_id)
    if bid is None or bid.procurement_id != procurement_id:
        raise NotFound(_("bid {bid} of procurement {id} not found", bid=bid_id, id=procurement_id))
    if await repository.sheet_exists(session, bid_id, actor):
        raise Conflict(_("{actor} already scored bid {bid}", actor=actor, bid=bid_id))
    scheme = stored_scheme(procurement)
    components = dict(score_in.components or {})
    if scheme.method == EvaluationMethod.comprehensive:
        expected = set(scheme.expert_components)
        if not components and score_in.score is not None:
            components = dict.fromkeys(expected, score_in.score)
        if set(components) != expected:
            raise UnprocessableEntity(
                _(
                    "The score sheet must score exactly the components {expected} (price is computed)",
                    expected=", ".join(sorted(expected)),
                ),
                **{"invalid-params": [{"name": "components", "reason": _("components do not match the scheme")}]},
            )
    elif components:
        raise UnprocessableEntity(
            _("The lowest evaluated price method has no scored components: send only the compliance finding")
        )
    mean = sum(components.values()) / len(components) if components else score_in.score
    score = BidScore(
        bid_id=bid_id,
        reviewer=actor,
        score=mean,
        components=components,
        compliant=score_in.compliant,
        comment=score_in.comment,
    )
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


@dataclass
class Evaluation:
    procurement: Procurement
    scheme: rules.ScoringScheme
    result: rules.TenderEvaluation
    bids: dict[str, Bid]
    sheets: dict[str, list[BidScore]]


async def evaluate(session: AsyncSession, *, procurement_id: str) -> Evaluation:
    """The tender's evaluation from the stored bids and expert sheets, by the document's method."""
    procurement = await get(session, procurement_id=procurement_id)
    if procurement.route not in (Route.open_tender, Route.designated_tender):
        raise Conflict(
            _(
                "this procurement goes by {route}, not a tender",
                route=Route(procurement.route).label,
            )
        )
    bids = await repository.bids(session, procurement_id)
    by_bid: dict[str, list[BidScore]] = {}
    for sheet in await repository.sheets(session, procurement_id):
        by_bid.setdefault(sheet.bid_id, []).append(sheet)
    facts = []
    verdicts: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for bid in bids:
        if bid.vendor_id not in verdicts:
            vendor = await vendor_service.load(session, vendor_id=bid.vendor_id)
            verdicts[bid.vendor_id] = (await vendor_service.eligibility(session, vendor=vendor)).reasons
            names[bid.vendor_id] = vendor.name
        facts.append(
            rules.BidFact(
                bid.vendor_id,
                bid.amount,
                [
                    rules.ScoreSheet(
                        s.reviewer, s.components or ({"score": s.score} if s.score is not None else {}), s.compliant
                    )
                    for s in by_bid.get(bid.id, [])
                ],
                verdicts[bid.vendor_id],
                names[bid.vendor_id],
            )
        )
    scheme = stored_scheme(procurement)
    return Evaluation(
        procurement,
        scheme,
        rules.evaluate_tender(scheme, facts),
        {b.vendor_id: b for b in bids},
        {b.vendor_id: by_bid.get(b.id, []) for b in bids},
    )


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
            await vendor_service.require_eligible(session, vendor_id=vendor_id, action=_("award the procurement"))
            raise Conflict(
                _("the price comparison was won by {winner}, not {vendor}", winner=result.winner, vendor=vendor_id)
            )
    elif procurement.route in (Route.open_tender, Route.designated_tender) and vendor_id is None:
        evaluation = await evaluate(session, procurement_id=procurement_id)
        if evaluation.result.winner is None:
            raise Conflict(_("no compliant, evaluated bid from an eligible vendor to award"))
        vendor_id = evaluation.result.winner
        value = value or evaluation.bids[vendor_id].amount
    elif procurement.route == Route.single_source and vendor_id is None:
        vendor_id = procurement.incumbent_vendor_id
    if vendor_id is None:
        raise UnprocessableEntity(_("vendor_id is required for this award"))
    await vendor_service.load(session, vendor_id=vendor_id)
    await vendor_service.require_eligible(session, vendor_id=vendor_id, action=_("award the procurement"))
    if procurement.route == Route.single_source and vendor_id != procurement.incumbent_vendor_id:
        raise Conflict(_("a single-source renewal can only be awarded to the incumbent"))
    final_value = value if value is not None else procurement.estimated_value
    project = await repository.project(session, procurement.project_code)
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
        publish=False,
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
    await ocds_service.publish(
        session, process_id=procurement.id, event="procurement.award", tags=["award", "contract"]
    )
    return contract


async def ending_between(
    session: AsyncSession, *, start: date, end: date, only_vendor_id: str | None, limit: int, offset: int
) -> tuple[list[Contract], int]:
    """Contracts ending in [start, end] not yet renewed (the renewal list)."""
    return await contract_repository.ending_between(
        session, start=start, end=end, only_vendor_id=only_vendor_id, limit=limit, offset=offset
    )
