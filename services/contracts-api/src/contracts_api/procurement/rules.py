"""Procurement decisions as pure functions: the route for a procurement, the price-comparison winner,
the tender ranking. No I/O: the API, the CLI and the tests call them with facts already fetched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contracts_api.models.enums import Route
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
    reasons: list[str]


def _cny(value: Decimal) -> str:
    return f"{value:,.2f} CNY"


def needs_appraisal(
    *, project_code: str, value: Decimal, renewal: bool, incumbent_eligible: bool, policy: RoutePolicy
) -> bool:
    """Whether the route depends on the incumbent's last-period appraisal."""
    return (
        renewal
        and incumbent_eligible
        and project_code not in policy.micro_projects
        and value >= policy.open_tender_threshold
    )


def recommend_route(
    *,
    project_code: str,
    value: Decimal,
    renewal: bool,
    policy: RoutePolicy,
    incumbent_reasons: Sequence[str] = (),
    score: VendorScore | None = None,
    period: str | None = None,
) -> RouteDecision:
    """The recommended route and why.

    - micro services (post, bookstore, hairdresser, laundry, car wash): price comparison;
    - below the threshold: designated-supplier tender (定点招投标), open tender also allowed;
    - at or above it: open tender for a first award; a renewal may go single-source to an eligible
      incumbent whose last-period appraisal clears the bar (quality, satisfaction and overall for the
      appraisal-weighted projects). ``score`` None for a renewal means no appraisal exists for the period.
    """
    threshold = _cny(policy.open_tender_threshold)
    if project_code in policy.micro_projects:
        return RouteDecision(
            Route.price_comparison,
            [f"{project_code} is on the micro-service list: price comparison among several vendors' quotes"],
        )
    if value < policy.open_tender_threshold:
        return RouteDecision(
            Route.designated_tender,
            [
                f"estimated value {_cny(value)} is below {threshold}: open tender or designated-supplier tender; "
                "the Bureau sets the quality standard, the market the price"
            ],
        )
    reasons = [f"estimated value {_cny(value)} is at or above {threshold}"]
    if not renewal:
        reasons.append("a first award at this value is an open tender")
        return RouteDecision(Route.open_tender, reasons)
    if incumbent_reasons:
        reasons.append(
            "the incumbent is not eligible, so the renewal goes to open tender: " + "; ".join(incumbent_reasons)
        )
        return RouteDecision(Route.open_tender, reasons)
    if score is None:
        reasons.append(f"the incumbent has no appraisal for period {period}: single-source renewal cannot be justified")
        return RouteDecision(Route.open_tender, reasons)
    checks: list[tuple[str, float | None, float]] = [("overall", score.total, policy.renewal_min_total)]
    if project_code in policy.appraisal_weighted_projects:
        checks = [
            ("quality", score.quality, policy.renewal_min_quality),
            ("satisfaction", score.satisfaction, policy.renewal_min_satisfaction),
            *checks,
        ]
        reasons.append(f"{project_code} renewal weighs service quality, satisfaction survey and overall appraisal")
    failures: list[str] = []
    for name, got, bar in checks:
        if got is None:
            failures.append(f"{name} score of period {score.period} is unavailable")
        elif got < bar:
            failures.append(f"{name} score {got:.1f} is below the bar {bar:.1f}")
        else:
            reasons.append(f"{name} score {got:.1f} clears the bar {bar:.1f}")
    if not score.complete:
        failures.append(f"the appraisal of {score.period} is provisional (missing: {', '.join(score.missing) or '?'})")
    if failures:
        reasons.extend(failures)
        reasons.append("the renewal goes to open tender")
        return RouteDecision(Route.open_tender, reasons)
    reasons.append(f"the eligible incumbent cleared its {score.period} appraisal: single-source renewal")
    return RouteDecision(Route.single_source, reasons)


@dataclass(frozen=True)
class QuoteFact:
    vendor_id: str
    amount: Decimal
    exclusion: list[str] = field(default_factory=list)


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
    explanation = [f"vendor {q.vendor_id} disqualified: {'; '.join(q.exclusion)}" for q in disqualified]
    if len(valid) < min_valid:
        explanation.append(f"only {len(valid)} valid quote(s); a price comparison needs at least {min_valid}")
        return PriceComparison(None, None, valid, disqualified, explanation, False)
    ranked = sorted(enumerate(valid), key=lambda iq: (iq[1].amount, iq[0]))
    best = ranked[0][1]
    tied = [q for _, q in ranked if q.amount == best.amount]
    if len(tied) > 1:
        explanation.append(
            f"{len(tied)} quotes tie at {_cny(best.amount)} ({', '.join(q.vendor_id for q in tied)}); "
            f"the earliest quote, from {best.vendor_id}, wins"
        )
    explanation.append(f"vendor {best.vendor_id} wins with the lowest valid quote {_cny(best.amount)}")
    return PriceComparison(best.vendor_id, best.amount, [q for _, q in ranked], disqualified, explanation, True)


@dataclass(frozen=True)
class BidFact:
    vendor_id: str
    amount: Decimal
    scores: list[float]
    exclusion: list[str] = field(default_factory=list)


def rank_bids(bids: Sequence[BidFact]) -> list[tuple[BidFact, float | None]]:
    """Eligible bids by mean reviewer score (highest first), then lower amount; excluded bids last."""

    def mean(b: BidFact) -> float | None:
        return sum(b.scores) / len(b.scores) if b.scores else None

    eligible = [b for b in bids if not b.exclusion]
    ranked = sorted(eligible, key=lambda b: (-(mean(b) or -1.0), b.amount))
    return [(b, mean(b)) for b in ranked] + [(b, mean(b)) for b in bids if b.exclusion]
