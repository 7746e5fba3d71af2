"""The canteen's pure rules: acceptance, units, tiers and the settlement sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from appraisal.canteen import rules
from appraisal.settings import DEFAULT_PRICE_TIERS


def test_settlement_counts_accepted_deliveries_and_every_cover() -> None:
    s = rules.settle(
        [
            rules.PurchaseLine("vegetable", Decimal("100.00"), True),
            rules.PurchaseLine("meat_poultry", Decimal("300.00"), True),
            rules.PurchaseLine("meat_poultry", Decimal("999.00"), False),
        ],
        [
            rules.CoversLine("lunch", "basic", 60, Decimal("330.00")),
            rules.CoversLine("lunch", "good", 40, Decimal("300.00")),
        ],
        catering_fee=Decimal("200.00"),
        ingredient_adjustment=Decimal("-50.00"),
    )
    assert s.ingredient_cost == Decimal("350.00") and s.takings == Decimal("630.00") and s.covers == 100
    assert s.total_cost == Decimal("550.00") and s.surplus == Decimal("80.00")
    assert s.cost_per_cover == Decimal("5.50") and s.ingredient_cost_per_cover == Decimal("3.50")
    assert s.ingredient_cost_ratio == Decimal("0.5556")
    assert s.rejected_deliveries == 1 and s.rejected_amount == Decimal("999.00")
    assert s.by_category == {"meat_poultry": Decimal("300.00"), "vegetable": Decimal("100.00")}
    assert s.by_tier["good"]["average_price"] == Decimal("7.50")


def test_a_month_without_covers_has_no_ratios_and_a_deficit() -> None:
    s = rules.settle([rules.PurchaseLine("grain_oil", Decimal("10.00"), True)], [], catering_fee=Decimal("5"))
    assert s.cost_per_cover is None and s.ingredient_cost_ratio is None and s.surplus == Decimal("-15.00")


def test_acceptance_units_and_tiers_refuse_with_the_reason() -> None:
    rules.acceptance({"temperature": True}, True, None)
    rules.acceptance({"temperature": False}, False, "温度超标")
    with pytest.raises(rules.CanteenRuleError, match="temperature"):
        rules.acceptance({"temperature": False}, True, None)
    with pytest.raises(rules.CanteenRuleError, match="reason"):
        rules.acceptance({}, False, "  ")
    rules.check_unit("青菜", "kg", "kg", ["kg"])
    with pytest.raises(rules.CanteenRuleError, match="unit mismatch"):
        rules.check_unit("青菜", "箱", "kg", ["kg", "箱"])
    basic = rules.tier_of("basic", DEFAULT_PRICE_TIERS)
    rules.check_tier_price(basic, 100, Decimal("600.00"))
    with pytest.raises(rules.CanteenRuleError, match="outside tier"):
        rules.check_tier_price(basic, 100, Decimal("601.00"))
    rules.check_tier_price(rules.tier_of("choice", DEFAULT_PRICE_TIERS), 10, Decimal("300.00"))
    assert rules.month_bounds("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
