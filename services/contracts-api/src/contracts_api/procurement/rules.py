"""Procurement decisions as pure functions: the route for a procurement, the price-comparison winner,
the tender ranking. No I/O: the API, the CLI and the tests call them with facts already fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from contracts_api.models.enums import EvaluationMethod, ProcurementCategory, Route
from houqin_common.i18n import N_, Text, _
from houqin_common.schemas import VendorScore


@dataclass(frozen=True)
class RoutePolicy:
    """The configurable numbers of DOMAIN.md *Procurement* (see Settings)."""

    open_tender_threshold: Decimal = Decimal("500000")
    micro_projects: frozenset[str] = frozenset({"post_office", "bookstore", "hairdresser", "laundry", "car_wash"})
    appraisal_weighted_projects: frozenset[str] = frozenset({"catering", "landscaping", "cleaning"})
    renewal_min_total: float = 85.0
    renewal_min_quality: float = 80.0
    renewal_min_satisfaction: float = 85.0


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    reasons: list[Text]

    def shown(self) -> list[str]:
        """The reasons in the current locale."""
        return [r.render() for r in self.reasons]


def _t(msgid: str, /, **params: object) -> Text:
    """A reason kept as msgid + parameters: a procurement stores it and shows it in its reader's language."""
    return Text(msgid, params)


def _cny(value: Decimal) -> str:
    return f"{value:,.2f} CNY"


def needs_appraisal(
    *, project_code: str, value: Decimal, renewal: bool, incumbent_eligible: bool, policy: RoutePolicy
) -> bool:
    """Whether the route depends on the incumbent's last-period appraisal."""
    return renewal and incumbent_eligible and value >= policy.open_tender_threshold


def recommend_route(
    *,
    project_code: str,
    value: Decimal,
    renewal: bool,
    policy: RoutePolicy,
    incumbent_reasons: Sequence[Text] = (),
    score: VendorScore | None = None,
    period: str | None = None,
    project_name: Text | None = None,
) -> RouteDecision:
    """The recommended route and why (DOMAIN.md *Procurement*, 进驻方式).

    The value decides first: at or above the threshold a first award is an open tender (公开招标) and a
    renewal may go single-source (单一来源) to an eligible incumbent whose last completed appraisal
    clears the bar (quality, satisfaction and overall for the appraisal-weighted projects), whatever
    list the project is on. Below it, a micro service (post, bookstore, hairdresser, laundry, car wash)
    is procured by price comparison (比价采购) and anything else by designated-supplier tender
    (定点招投标), open tender also allowed. ``score`` None for a renewal means no appraisal exists for
    ``period``.
    """
    threshold = _cny(policy.open_tender_threshold)
    project = project_name or project_code
    if value < policy.open_tender_threshold:
        if project_code in policy.micro_projects:
            return RouteDecision(
                Route.price_comparison,
                [
                    _t(
                        N_(
                            "Estimated value {value} is below {threshold} and {project} is on the micro-service "
                            "list: price comparison among several vendors' quotes"
                        ),
                        value=_cny(value),
                        threshold=threshold,
                        project=project,
                    )
                ],
            )
        return RouteDecision(
            Route.designated_tender,
            [
                _t(
                    N_(
                        "Estimated value {value} is below {threshold}: designated-supplier tender or "
                        "open tender; the Bureau sets the quality standard, the market sets the price"
                    ),
                    value=_cny(value),
                    threshold=threshold,
                )
            ],
        )
    reasons = [_t(N_("Estimated value {value} is at or above {threshold}"), value=_cny(value), threshold=threshold)]
    if project_code in policy.micro_projects:
        reasons.append(
            _t(
                N_("{project} is on the micro-service list, but the list applies only below the threshold"),
                project=project,
            )
        )
    if not renewal:
        reasons.append(_t(N_("A first award at this value is an open tender")))
        return RouteDecision(Route.open_tender, reasons)
    if incumbent_reasons:
        reasons.append(
            _t(
                N_("The incumbent is not eligible, so the renewal goes to open tender: {grounds}"),
                grounds=list(incumbent_reasons),
            )
        )
        return RouteDecision(Route.open_tender, reasons)
    if score is None:
        reasons.append(
            _t(
                N_(
                    "The incumbent has no appraisal for period {period}: a single-source renewal cannot be "
                    "justified, open tender"
                ),
                period=period or "?",
            )
        )
        return RouteDecision(Route.open_tender, reasons)
    reasons.append(
        _t(N_("Appraisal consulted: period {period}, the last completed before the contract ends"), period=score.period)
    )
    checks: list[tuple[str, float | None, float]] = [(N_("overall"), score.total, policy.renewal_min_total)]
    if project_code in policy.appraisal_weighted_projects:
        checks = [
            (N_("quality"), score.quality, policy.renewal_min_quality),
            (N_("satisfaction"), score.satisfaction, policy.renewal_min_satisfaction),
            *checks,
        ]
        reasons.append(
            _t(
                N_("{project} renewal weighs service quality, satisfaction survey and overall appraisal"),
                project=project,
            )
        )
    failures: list[Text] = []
    for name, got, bar in checks:
        if got is None:
            failures.append(
                _t(N_("{name} score of period {period} is unavailable"), name=Text(name), period=score.period)
            )
        elif got < bar:
            failures.append(
                _t(N_("{name} score {got} is below the bar {bar}"), name=Text(name), got=f"{got:.1f}", bar=f"{bar:.1f}")
            )
        else:
            reasons.append(
                _t(N_("{name} score {got} clears the bar {bar}"), name=Text(name), got=f"{got:.1f}", bar=f"{bar:.1f}")
            )
    if not score.complete:
        failures.append(
            _t(
                N_("The appraisal of {period} is provisional (missing: {missing})"),
                period=score.period,
                missing=", ".join(score.missing) or "?",
            )
        )
    if failures:
        reasons.extend(failures)
        reasons.append(_t(N_("The renewal goes to open tender")))
        return RouteDecision(Route.open_tender, reasons)
    reasons.append(
        _t(
            N_("The eligible incumbent cleared its {period} appraisal: single-source renewal"),
            period=score.period,
        )
    )
    return RouteDecision(Route.single_source, reasons)


@dataclass(frozen=True)
class QuoteFact:
    vendor_id: str
    amount: Decimal
    exclusion: list[str] = field(default_factory=list)
    vendor_name: str | None = None

    @property
    def vendor(self) -> str:
        return self.vendor_name or self.vendor_id


@dataclass(frozen=True)
class PriceComparison:
    winner: str | None
    winning_amount: Decimal | None
    valid: list[QuoteFact]
    disqualified: list[QuoteFact]
    explanation: list[str]
    decided: bool


def compare_prices(quotes: Sequence[QuoteFact], *, min_valid: int) -> PriceComparison:
    """Lowest quote from an eligible vendor wins; at least ``min_valid`` valid quotes are needed.

    A tie on the lowest amount is broken by the earliest quote (the order given), and said so.
    """
    valid = [q for q in quotes if not q.exclusion]
    disqualified = [q for q in quotes if q.exclusion]
    explanation = [
        _("vendor {vendor} disqualified: {why}", vendor=q.vendor, why=_("; ").join(q.exclusion)) for q in disqualified
    ]
    if len(valid) < min_valid:
        explanation.append(
            _(
                "only {n} valid quote(s); a price comparison needs at least {min_valid}",
                n=len(valid),
                min_valid=min_valid,
            )
        )
        return PriceComparison(None, None, valid, disqualified, explanation, False)
    ranked = sorted(enumerate(valid), key=lambda iq: (iq[1].amount, iq[0]))
    best = ranked[0][1]
    tied = [q for _i, q in ranked if q.amount == best.amount]
    if len(tied) > 1:
        explanation.append(
            _(
                "{n} quotes tie at {amount} ({vendors}); the earliest quote, from {vendor}, wins",
                n=len(tied),
                amount=_cny(best.amount),
                vendors=_(", ").join(q.vendor for q in tied),
                vendor=best.vendor,
            )
        )
    explanation.append(
        _("vendor {vendor} wins with the lowest valid quote {amount}", vendor=best.vendor, amount=_cny(best.amount))
    )
    return PriceComparison(best.vendor_id, best.amount, [q for _i, q in ranked], disqualified, explanation, True)


PRICE = "price"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ScoringComponent:
    code: str
    weight: Decimal


@dataclass(frozen=True)
class ScoringScheme:
    """What the procurement document fixes before the bids are opened: the method and, for 综合评分法,
    the components with their weights in percent (price included, under the code ``price``)."""

    method: EvaluationMethod
    category: ProcurementCategory
    components: tuple[ScoringComponent, ...] = ()

    @property
    def price_weight(self) -> Decimal:
        return next((c.weight for c in self.components if c.code == PRICE), Decimal(0))

    @property
    def expert_components(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.components if c.code != PRICE)


def scheme_errors(
    scheme: ScoringScheme, *, route: Route, min_price_weight_services: Decimal, min_price_weight_goods: Decimal
) -> list[str]:
    """Why a procurement document's evaluation scheme is refused; empty when it is valid.

    Order No. 87 art. 53: only a tender (公开招标, 定点招投标) is evaluated by 综合评分法 or 最低评标价法.
    Art. 55: under 综合评分法 price is a scored component whose weight is at least 10 % for services and
    30 % for goods (configurable), and the weights add up to 100 %.
    """
    errors: list[str] = []
    if route not in (Route.open_tender, Route.designated_tender):
        return [
            _(
                "Route {route} is not a tender: it has no tender evaluation method (Order No. 87 art. 53)",
                route=route.value,
            )
        ]
    if scheme.method == EvaluationMethod.lowest_price:
        if scheme.components:
            errors.append(_("The lowest evaluated price method has no scored components"))
        return errors
    codes = [c.code for c in scheme.components]
    if len(set(codes)) != len(codes):
        errors.append(_("Each scoring component may appear only once"))
    if PRICE not in codes:
        errors.append(
            _("Under the comprehensive scoring method price is always a scored component (Order No. 87 art. 55)")
        )
    if not scheme.expert_components:
        errors.append(
            _("Under the comprehensive scoring method at least one component besides price is scored by the experts")
        )
    if any(c.weight <= 0 for c in scheme.components):
        errors.append(_("Every component weight must be positive"))
    total = sum((c.weight for c in scheme.components), Decimal(0))
    if total != HUNDRED:
        errors.append(_("The component weights add up to {total} %, not 100 %", total=f"{total:g}"))
    floor = min_price_weight_goods if scheme.category == ProcurementCategory.goods else min_price_weight_services
    if PRICE in codes and scheme.price_weight < floor:
        errors.append(
            _(
                "The price weight ({weight} %) is below the minimum ({floor} %) for {category} (Order No. 87 art. 55)",
                weight=f"{scheme.price_weight:g}",
                floor=f"{floor:g}",
                category=scheme.category.value,
            )
        )
    return errors


def price_scores(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Order No. 87 art. 55 (低价优先法): the lowest compliant bid is the benchmark (评标基准价) and
    scores full marks; every other bid scores benchmark ÷ bid × 100, rounded to 0.01."""
    if not amounts:
        return {}
    benchmark = min(amounts.values())
    return {
        vendor: (HUNDRED if amount == benchmark else benchmark / amount * HUNDRED).quantize(CENT, ROUND_HALF_UP)
        for vendor, amount in amounts.items()
    }


@dataclass(frozen=True)
class ScoreSheet:
    """One expert's independent sheet for one bid (Order No. 87 art. 62: each expert scores alone)."""

    reviewer: str
    components: Mapping[str, float]
    compliant: bool = True


@dataclass(frozen=True)
class BidFact:
    vendor_id: str
    amount: Decimal
    sheets: Sequence[ScoreSheet] = ()
    exclusion: Sequence[str] = ()
    vendor: str | None = None  # the registered name the explanation gives (the id when unknown)


@dataclass
class BidEvaluation:
    vendor_id: str
    amount: Decimal
    compliant: bool
    exclusion: list[str]
    component_means: dict[str, Decimal] = field(default_factory=dict)
    price_score: Decimal | None = None
    total: Decimal | None = None
    rank: int | None = None


@dataclass
class TenderEvaluation:
    method: EvaluationMethod
    rows: list[BidEvaluation]
    winner: str | None
    winning_reason: str | None
    explanation: list[str]


def _compliance(bid: BidFact) -> tuple[bool, list[str]]:
    if bid.exclusion:
        return False, list(bid.exclusion)
    if not bid.sheets:
        return False, [_("no expert has evaluated the bid yet")]
    against = sum(1 for s in bid.sheets if not s.compliant)
    if against * 2 >= len(bid.sheets):
        return False, [
            _("{n} of {m} experts found the bid non-compliant", n=against, m=len(bid.sheets)),
        ]
    return True, []


def evaluate_tender(scheme: ScoringScheme, bids: Sequence[BidFact]) -> TenderEvaluation:
    """Rank a tender's bids by the procurement document's method.

    综合评分法 (Order No. 87 art. 55): each non-price component is the mean of the experts' sheets;
    price scores by the low-price benchmark among compliant bids; total = Σ score × weight ÷ 100; ranked
    by total, then by lower price, then by the earlier bid (stated). 最低评标价法 (art. 54): the compliant
    bids ranked by price, lowest first. Non-compliant and excluded bids are listed last, unranked.
    """
    rows: list[BidEvaluation] = []
    order: dict[str, int] = {}
    for i, bid in enumerate(bids):
        compliant, why = _compliance(bid)
        rows.append(BidEvaluation(bid.vendor_id, bid.amount, compliant, why))
        order[bid.vendor_id] = i
    by_vendor = {b.vendor_id: b for b in bids}
    named = {b.vendor_id: b.vendor or b.vendor_id for b in bids}
    ok = [r for r in rows if r.compliant]
    explanation: list[str] = []
    if scheme.method == EvaluationMethod.comprehensive:
        weights = {c.code: c.weight for c in scheme.components}
        prices = price_scores({r.vendor_id: r.amount for r in ok})
        for r in ok:
            sheets = by_vendor[r.vendor_id].sheets
            for code in scheme.expert_components:
                values = [Decimal(str(s.components[code])) for s in sheets if code in s.components]
                r.component_means[code] = (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP)
            r.price_score = prices[r.vendor_id]
            total = r.price_score * weights[PRICE]
            total += sum((r.component_means[c] * weights[c] for c in scheme.expert_components), Decimal(0))
            r.total = (total / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        ok.sort(key=lambda r: (-(r.total or Decimal(0)), r.amount, order[r.vendor_id]))
        if ok:
            benchmark = min(r.amount for r in ok)
            explanation.append(
                _(
                    "Price benchmark (评标基准价) is the lowest compliant bid {benchmark}; other bids score "
                    "benchmark ÷ bid × 100 (Order No. 87 art. 55)",
                    benchmark=_cny(benchmark),
                )
            )
    else:
        ok.sort(key=lambda r: (r.amount, order[r.vendor_id]))
    for rank, r in enumerate(ok, start=1):
        r.rank = rank
    for a, b in pairwise(ok):
        tied = a.amount == b.amount and (scheme.method == EvaluationMethod.lowest_price or a.total == b.total)
        if tied:
            explanation.append(
                _("{a} and {b} tie; the earlier bid, from {a}, ranks first", a=named[a.vendor_id], b=named[b.vendor_id])
            )
    rest = [r for r in rows if not r.compliant]
    for r in rest:
        grounds = "; ".join(r.exclusion)
        explanation.append(_("Bid of {vendor} not ranked: {why}", vendor=named[r.vendor_id], why=grounds))
    if not ok:
        return TenderEvaluation(scheme.method, rest, None, None, explanation)
    best = ok[0]
    if scheme.method == EvaluationMethod.comprehensive:
        reason = _(
            "{vendor} ranks first by 综合评分法 with a total of {total} (price score {price} at weight {weight} %)",
            vendor=named[best.vendor_id],
            total=f"{best.total}",
            price=f"{best.price_score}",
            weight=f"{scheme.price_weight:g}",
        )
    else:
        reason = _(
            "{vendor} ranks first by the lowest evaluated price method with the lowest compliant bid {amount}",
            vendor=named[best.vendor_id],
            amount=_cny(best.amount),
        )
    explanation.append(reason)
    return TenderEvaluation(scheme.method, ok + rest, best.vendor_id, reason, explanation)
