from decimal import Decimal

import pytest

from contracts_api.models.enums import Route
from contracts_api.procurement.rules import (
    BidFact,
    QuoteFact,
    RoutePolicy,
    compare_prices,
    needs_appraisal,
    rank_bids,
    recommend_route,
)
from houqin_common.schemas import VendorScore

POLICY = RoutePolicy()


def score(
    total: float | None, quality: float | None = 90, satisfaction: float | None = 90, **kw: object
) -> VendorScore:
    return VendorScore.model_validate(
        {
            "vendor_id": "v",
            "period": "2025",
            "total": total,
            "quality": quality,
            "satisfaction": satisfaction,
            "complete": True,
            **kw,
        }
    )


def test_micro_service_goes_to_price_comparison_whatever_the_value() -> None:
    d = recommend_route(project_code="hairdresser", value=Decimal("900000"), renewal=True, policy=POLICY)
    assert d.route == Route.price_comparison and "micro-service list" in d.reasons[0]


def test_below_threshold_is_designated_tender() -> None:
    d = recommend_route(project_code="supermarket", value=Decimal("499999.99"), renewal=False, policy=POLICY)
    assert d.route == Route.designated_tender and "below 500,000.00 CNY" in d.reasons[0]


def test_first_award_at_threshold_is_open_tender() -> None:
    d = recommend_route(project_code="security", value=Decimal("500000"), renewal=False, policy=POLICY)
    assert d.route == Route.open_tender and "at or above" in d.reasons[0]


def test_threshold_is_configurable() -> None:
    policy = RoutePolicy(open_tender_threshold=Decimal("1000000"))
    d = recommend_route(project_code="security", value=Decimal("620000"), renewal=False, policy=policy)
    assert d.route == Route.designated_tender


def test_renewal_with_good_appraisal_goes_single_source() -> None:
    d = recommend_route(project_code="security", value=Decimal("620000"), renewal=True, policy=POLICY, score=score(91))
    assert d.route == Route.single_source and any("91.0 clears the bar 85.0" in r for r in d.reasons)


def test_renewal_with_ineligible_incumbent_goes_to_open_tender_naming_the_ground() -> None:
    d = recommend_route(
        project_code="security",
        value=Decimal("620000"),
        renewal=True,
        policy=POLICY,
        incumbent_reasons=["veto:poor_credit: 信誉差或有违约记录 (x)"],
    )
    assert d.route == Route.open_tender and "veto:poor_credit" in d.reasons[-1]


def test_renewal_without_appraisal_for_the_period_goes_to_open_tender() -> None:
    d = recommend_route(project_code="security", value=Decimal("620000"), renewal=True, policy=POLICY, period="2025")
    assert d.route == Route.open_tender and "no appraisal for period 2025" in d.reasons[-1]


@pytest.mark.parametrize(
    ("quality", "satisfaction", "total", "route", "why"),
    [
        (90, 90, 90, Route.single_source, "cleared"),
        (70, 90, 90, Route.open_tender, "quality score 70.0 is below the bar 80.0"),
        (90, 80, 90, Route.open_tender, "satisfaction score 80.0 is below the bar 85.0"),
        (90, 90, 84, Route.open_tender, "overall score 84.0 is below the bar 85.0"),
        (None, 90, 90, Route.open_tender, "quality score of period 2025 is unavailable"),
    ],
)
def test_catering_cleaning_landscaping_weigh_quality_satisfaction_and_overall(
    quality: float | None, satisfaction: float, total: float, route: Route, why: str
) -> None:
    d = recommend_route(
        project_code="catering",
        value=Decimal("1800000"),
        renewal=True,
        policy=POLICY,
        score=score(total, quality, satisfaction),
    )
    assert d.route == route
    assert any(why in r for r in d.reasons)


def test_security_renewal_ignores_quality_bar() -> None:
    d = recommend_route(
        project_code="security", value=Decimal("620000"), renewal=True, policy=POLICY, score=score(90, quality=10)
    )
    assert d.route == Route.single_source


def test_provisional_appraisal_does_not_justify_single_source() -> None:
    d = recommend_route(
        project_code="security",
        value=Decimal("620000"),
        renewal=True,
        policy=POLICY,
        score=score(95, complete=False, missing=["energy"]),
    )
    assert d.route == Route.open_tender and any("provisional (missing: energy)" in r for r in d.reasons)


def test_appraisal_is_needed_only_for_eligible_renewals_above_threshold() -> None:
    kw = {"policy": POLICY, "incumbent_eligible": True, "renewal": True}
    assert needs_appraisal(project_code="security", value=Decimal("620000"), **kw)  # type: ignore[arg-type]
    assert not needs_appraisal(project_code="bank", value=Decimal("150000"), **kw)  # type: ignore[arg-type]
    assert not needs_appraisal(project_code="laundry", value=Decimal("620000"), **kw)  # type: ignore[arg-type]
    assert not needs_appraisal(
        project_code="security", value=Decimal("620000"), renewal=True, incumbent_eligible=False, policy=POLICY
    )


def test_lowest_eligible_quote_wins_and_disqualifications_are_explained() -> None:
    result = compare_prices(
        [
            QuoteFact("a", Decimal("30000")),
            QuoteFact("vetoed", Decimal("10000"), ["veto:poor_credit"]),
            QuoteFact("b", Decimal("28000")),
            QuoteFact("c", Decimal("31000")),
        ],
        min_valid=3,
    )
    assert result.decided and result.winner == "b" and result.winning_amount == Decimal("28000")
    assert [q.vendor_id for q in result.valid] == ["b", "a", "c"]
    assert "vendor vetoed disqualified: veto:poor_credit" in result.explanation


def test_too_few_valid_quotes_is_undecided() -> None:
    result = compare_prices(
        [QuoteFact("a", Decimal("1")), QuoteFact("b", Decimal("2")), QuoteFact("x", Decimal("0.5"), ["veto"])],
        min_valid=3,
    )
    assert not result.decided and result.winner is None
    assert "only 2 valid quote(s)" in result.explanation[-1]


def test_tie_goes_to_the_earliest_quote_and_says_so() -> None:
    result = compare_prices(
        [QuoteFact("first", Decimal("100")), QuoteFact("second", Decimal("100")), QuoteFact("third", Decimal("150"))],
        min_valid=3,
    )
    assert result.winner == "first"
    assert any("2 quotes tie" in e and "earliest" in e for e in result.explanation)


def test_bids_rank_by_mean_score_then_amount_with_ineligible_last() -> None:
    ranked = rank_bids(
        [
            BidFact("cheap", Decimal("100"), [80, 84]),
            BidFact("best", Decimal("200"), [90, 92]),
            BidFact("tie-cheaper", Decimal("90"), [82, 82]),
            BidFact("vetoed", Decimal("50"), [99], ["veto"]),
        ]
    )
    assert [b.vendor_id for b, _ in ranked] == ["best", "tie-cheaper", "cheap", "vetoed"]
    assert ranked[0][1] == 91


async def test_an_unreachable_appraisal_is_asked_only_once_per_request() -> None:
    from contracts_api.procurement.service import RememberOutage
    from houqin_common.clients import ServiceUnavailableError

    calls = []

    class Down:
        async def vendor_score(self, vendor_id: str, period: str) -> VendorScore:
            calls.append(vendor_id)
            raise ServiceUnavailableError(503, {"detail": "down"}, service="appraisal")

    source = RememberOutage(Down())
    for vendor in ("a", "b", "c"):
        with pytest.raises(ServiceUnavailableError):
            await source.vendor_score(vendor, "2025")
    assert calls == ["a"]
