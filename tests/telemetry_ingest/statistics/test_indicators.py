"""The statistics arithmetic as pure functions: coefficients, goals, payback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from telemetry_ingest.statistics.config import AccountingSettings
from telemetry_ingest.statistics.indicators import Goal, YearInputs, carbon_t, goal_met, kgce, payback, year_values

D = Decimal


def test_water_counts_in_kgce_only_when_its_coefficient_is_set() -> None:
    use = {"01000": D(1000), "02000": D(100)}
    assert kgce(use, AccountingSettings()) == D("122.9")
    assert kgce(use, AccountingSettings(kgce_per_m3_water=D("0.0857"))) == D("122.9") + D("8.57")


def test_a_newer_grid_factor_changes_the_carbon() -> None:
    use = {"01000": D(1000)}
    assert carbon_t(use, AccountingSettings()) == D("0.5703")
    assert carbon_t(use, AccountingSettings(grid_emission_factor_t_per_mwh=D("0.5366"))) == D("0.5366")


def test_missing_denominators_give_none_not_zero() -> None:
    values = year_values(YearInputs({"01000": D(1000)}, D(0), None, None), AccountingSettings())
    assert values["energy_per_capita_kgce"] is None and values["energy_per_m2_kgce"] is None
    assert values["comprehensive_energy_kgce"] == D("122.9")


def test_goals() -> None:
    assert goal_met(None, D(1), D(2)) is None
    assert goal_met(Goal(max_value=D(10)), D(10), None) is True
    assert goal_met(Goal(max_value=D(10)), D("10.001"), None) is False
    assert goal_met(Goal(min_reduction=D("0.1")), D(90), D(100)) is True
    assert goal_met(Goal(min_reduction=D("0.1")), D("90.01"), D(100)) is False
    assert goal_met(Goal(min_reduction=D("0.1")), D(90), None) is None  # no previous year to compare
    assert goal_met(Goal(max_value=D(95), min_reduction=D("0.1")), D(96), D(120)) is False


def test_payback_before_and_after_the_cost_is_covered() -> None:
    early = payback(
        cost=D(1000),
        start=date(2026, 1, 1),
        as_of=date(2026, 1, 11),
        baseline_cost=D(3650),
        baseline_days=365,
        actual_cost=D(50),
    )
    # 10 days × 10 yuan expected - 50 actual = 50 saved, 5 a day: 1825 a year, 1000 / 1825 = 0.548 years
    assert (early.saved_cny, early.annual_saving_cny, early.paid_back) == (D(50), D(1825), False)
    assert early.paid_back_on == date(2026, 7, 20)  # 200 days at 5 yuan a day
    none_saved = payback(
        cost=D(1000),
        start=date(2026, 1, 1),
        as_of=date(2026, 1, 11),
        baseline_cost=D(3650),
        baseline_days=365,
        actual_cost=D(120),
    )
    assert none_saved.saved_cny == D(-20) and none_saved.payback_years is None and none_saved.paid_back_on is None
