from decimal import Decimal

import pytest

from contracts_api.models.enums import EvaluationMethod, ProcurementCategory, Route
from contracts_api.procurement.rules import (
    BidFact,
    QuoteFact,
    RoutePolicy,
    ScoreSheet,
    ScoringComponent,
    ScoringScheme,
    compare_prices,
    evaluate_tender,
    needs_appraisal,
    price_scores,
    recommend_route,
    scheme_errors,
)
from houqin_common.i18n import Text
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


def test_micro_service_below_the_threshold_goes_to_price_comparison() -> None:
    d = recommend_route(project_code="hairdresser", value=Decimal("90000"), renewal=True, policy=POLICY)
    assert d.route == Route.price_comparison and "micro-service list" in d.shown()[0]


def test_value_decides_first_a_large_micro_service_is_an_open_tender() -> None:
    d = recommend_route(project_code="laundry", value=Decimal("800000"), renewal=False, policy=POLICY)
    assert d.route == Route.open_tender
    assert "only below the threshold" in d.shown()[1] and "open tender" in d.shown()[-1]


def test_below_threshold_is_designated_tender() -> None:
    d = recommend_route(project_code="supermarket", value=Decimal("499999.99"), renewal=False, policy=POLICY)
    assert d.route == Route.designated_tender and "below 500,000.00 CNY" in d.shown()[0]


def test_first_award_at_threshold_is_open_tender() -> None:
    d = recommend_route(project_code="security", value=Decimal("500000"), renewal=False, policy=POLICY)
    assert d.route == Route.open_tender and "at or above" in d.shown()[0]


def test_threshold_is_configurable() -> None:
    policy = RoutePolicy(open_tender_threshold=Decimal("1000000"))
    d = recommend_route(project_code="security", value=Decimal("620000"), renewal=False, policy=policy)
    assert d.route == Route.designated_tender


def test_renewal_with_good_appraisal_goes_single_source() -> None:
    d = recommend_route(project_code="security", value=Decimal("620000"), renewal=True, policy=POLICY, score=score(91))
    assert d.route == Route.single_source and any("91.0 clears the bar 85.0" in r for r in d.shown())


def test_renewal_with_ineligible_incumbent_goes_to_open_tender_naming_the_ground() -> None:
    d = recommend_route(
        project_code="security",
        value=Decimal("620000"),
        renewal=True,
        policy=POLICY,
        incumbent_reasons=[Text.verbatim("veto:poor_credit: 信誉差或有违约记录 (x)")],
    )
    assert d.route == Route.open_tender and "veto:poor_credit" in d.shown()[-1]


def test_renewal_without_appraisal_for_the_period_goes_to_open_tender() -> None:
    d = recommend_route(project_code="security", value=Decimal("620000"), renewal=True, policy=POLICY, period="2025")
    assert d.route == Route.open_tender and "no appraisal for period 2025" in d.shown()[-1]


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
    assert any(why in r for r in d.shown())


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
    assert d.route == Route.open_tender and any("provisional (missing: energy)" in r for r in d.shown())


def test_appraisal_is_needed_only_for_eligible_renewals_above_threshold() -> None:
    kw = {"policy": POLICY, "incumbent_eligible": True, "renewal": True}
    assert needs_appraisal(project_code="security", value=Decimal("620000"), **kw)  # type: ignore[arg-type]
    assert not needs_appraisal(project_code="bank", value=Decimal("150000"), **kw)  # type: ignore[arg-type]
    assert needs_appraisal(project_code="laundry", value=Decimal("620000"), **kw)  # type: ignore[arg-type]
    assert not needs_appraisal(project_code="laundry", value=Decimal("62000"), **kw)  # type: ignore[arg-type]
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


SCHEME = ScoringScheme(
    EvaluationMethod.comprehensive,
    ProcurementCategory.services,
    (ScoringComponent("price", Decimal(30)), ScoringComponent("technical", Decimal(70))),
)


def sheet(reviewer: str, technical: float, compliant: bool = True) -> ScoreSheet:
    return ScoreSheet(reviewer, {"technical": technical}, compliant)


def test_three_bids_reproduce_the_order_87_price_scores_by_hand() -> None:
    # benchmark = lowest compliant bid 1,000,000: full marks; 1,000,000 / 1,250,000 × 100 = 80.00;
    # 1,000,000 / 1,200,000 × 100 = 83.333… → 83.33
    assert price_scores({"a": Decimal("1000000"), "b": Decimal("1250000"), "c": Decimal("1200000")}) == {
        "a": Decimal("100.00"),
        "b": Decimal("80.00"),
        "c": Decimal("83.33"),
    }
    result = evaluate_tender(
        SCHEME,
        [
            BidFact("a", Decimal("1000000"), [sheet("e1", 70), sheet("e2", 74)]),  # technical 72
            BidFact("b", Decimal("1250000"), [sheet("e1", 90), sheet("e2", 94)]),  # technical 92
            BidFact("c", Decimal("1200000"), [sheet("e1", 80), sheet("e2", 81)]),  # technical 80.5
        ],
    )
    rows = {r.vendor_id: r for r in result.rows}
    # totals: a = 100×0.3 + 72×0.7 = 80.40; b = 80×0.3 + 92×0.7 = 88.40; c = 83.33×0.3 + 80.5×0.7 = 81.349 → 81.35
    assert rows["a"].total == Decimal("80.40") and rows["b"].total == Decimal("88.40")
    assert rows["c"].total == Decimal("81.35") and rows["c"].price_score == Decimal("83.33")
    assert [r.vendor_id for r in result.rows] == ["b", "c", "a"] and result.winner == "b"
    assert result.winning_reason is not None and "88.40" in result.winning_reason


def test_the_benchmark_is_the_lowest_compliant_bid_not_an_excluded_one() -> None:
    result = evaluate_tender(
        SCHEME,
        [
            BidFact("cheap-vetoed", Decimal("500000"), [sheet("e1", 99)], ["veto:poor_credit"]),
            BidFact("cheap-noncompliant", Decimal("600000"), [sheet("e1", 90, compliant=False)]),
            BidFact("a", Decimal("800000"), [sheet("e1", 80)]),
            BidFact("b", Decimal("1000000"), [sheet("e1", 80)]),
        ],
    )
    rows = {r.vendor_id: r for r in result.rows}
    assert rows["a"].price_score == Decimal("100.00") and rows["b"].price_score == Decimal("80.00")
    assert rows["cheap-vetoed"].rank is None and rows["cheap-noncompliant"].rank is None
    assert [r.vendor_id for r in result.rows][-2:] == ["cheap-vetoed", "cheap-noncompliant"]


def test_equal_totals_rank_the_lower_price_first() -> None:
    scheme = ScoringScheme(
        EvaluationMethod.comprehensive,
        ProcurementCategory.services,
        (ScoringComponent("price", Decimal(50)), ScoringComponent("technical", Decimal(50))),
    )
    # a: 100×0.5 + 60×0.5 = 80; b: 80×0.5 + 80×0.5 = 80 → a ranks first (lower price)
    result = evaluate_tender(
        scheme, [BidFact("b", Decimal("125"), [sheet("e", 80)]), BidFact("a", Decimal("100"), [sheet("e", 60)])]
    )
    assert [r.vendor_id for r in result.rows] == ["a", "b"] and result.rows[0].total == result.rows[1].total


def test_lowest_evaluated_price_method_ranks_compliant_bids_by_price() -> None:
    scheme = ScoringScheme(EvaluationMethod.lowest_price, ProcurementCategory.goods)
    result = evaluate_tender(
        scheme,
        [
            BidFact("x", Decimal("300"), [ScoreSheet("e", {}, True)]),
            BidFact("y", Decimal("200"), [ScoreSheet("e", {}, False), ScoreSheet("f", {}, False)]),
            BidFact("z", Decimal("250"), [ScoreSheet("e", {}, True)]),
        ],
    )
    assert result.winner == "z" and [r.rank for r in result.rows] == [1, 2, None]
    assert "lowest evaluated price method" in (result.winning_reason or "")


def test_price_weight_floor_is_validated_per_category() -> None:
    floors = {"min_price_weight_services": Decimal(10), "min_price_weight_goods": Decimal(30)}
    ok = ScoringScheme(
        EvaluationMethod.comprehensive,
        ProcurementCategory.services,
        (ScoringComponent("price", Decimal(10)), ScoringComponent("technical", Decimal(90))),
    )
    assert scheme_errors(ok, route=Route.open_tender, **floors) == []
    goods = ScoringScheme(EvaluationMethod.comprehensive, ProcurementCategory.goods, ok.components)
    assert any("below the minimum (30 %)" in e for e in scheme_errors(goods, route=Route.open_tender, **floors))
    bad_sum = ScoringScheme(
        EvaluationMethod.comprehensive,
        ProcurementCategory.services,
        (ScoringComponent("price", Decimal(20)), ScoringComponent("technical", Decimal(70))),
    )
    assert any("add up to 90 %" in e for e in scheme_errors(bad_sum, route=Route.open_tender, **floors))
    assert scheme_errors(ok, route=Route.price_comparison, **floors)


async def test_an_unreachable_appraisal_is_asked_only_once_per_request() -> None:
    from contracts_api.procurement.routing import RememberOutage
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


def test_the_cli_waits_longer_than_contracts_api_waits_on_appraisal() -> None:
    from contracts_api.cli import appraisal_wait_s

    # 5 s timeout, 3 retries: 4 attempts of 5 s and back-offs of at most 0.3 + 0.6 + 1.2 s
    assert appraisal_wait_s(5.0, 3) == pytest.approx(22.1)
    assert appraisal_wait_s(5.0, 0) == 5.0
    # the old CLI waited 5 s for a server that could itself wait 22 s on appraisal
    assert 5.0 + appraisal_wait_s(5.0, 3) > appraisal_wait_s(5.0, 3) > 5.0


@pytest.mark.parametrize(
    ("end", "today", "period"),
    [
        ("2026-12-31", "2026-11-30", "2025"),  # the running year 2026 is never read
        ("2026-12-31", "2027-06-01", "2025"),  # 2026 ends with the contract, not before it
        ("2027-12-31", "2026-11-30", "2025"),  # decided early: 2026 is not complete yet
        ("2027-12-31", "2027-01-15", "2026"),
        ("2027-06-30", "2027-05-01", "2026"),
    ],
)
def test_a_renewal_reads_the_last_year_completed_before_the_contract_ends(end: str, today: str, period: str) -> None:
    from datetime import date

    from contracts_api.models import Contract
    from contracts_api.procurement.routing import appraisal_period

    contract = Contract(start_date=date(2026, 1, 1), end_date=date.fromisoformat(end))
    assert appraisal_period(contract, date.fromisoformat(today)) == period
