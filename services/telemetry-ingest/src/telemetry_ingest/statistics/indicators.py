"""The yearly indicators of the public-institution energy statistics and the payback of an investment:
pure functions over Decimal totals (no I/O), so the API, the XLSX export and the tests share them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from houqin_common.i18n import N_
from telemetry_ingest.statistics.config import AccountingSettings

#: indicator code -> (English label msgid, unit, decimal places shown)
INDICATORS: dict[str, tuple[str, str, int]] = {
    "comprehensive_energy_kgce": (N_("Comprehensive energy consumption"), "kgce", 3),
    "energy_per_capita_kgce": (N_("Comprehensive energy per capita"), "kgce/person", 3),
    "energy_per_m2_kgce": (N_("Energy per square metre of building area"), "kgce/m²", 3),
    "water_per_capita_m3": (N_("Water use per capita"), "m³/person", 3),
    "electricity_kwh": (N_("Electricity"), "kWh", 3),
    "water_m3": (N_("Water"), "m³", 3),
    "gas_m3": (N_("Natural gas"), "m³", 3),
    "heat_gj": (N_("Purchased heat"), "GJ", 3),
    "cost_cny": (N_("Energy and water cost"), "CNY", 2),
    "carbon_tco2": (N_("Carbon emissions"), "tCO2", 6),
}


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearInputs:
    """What one statistics year is computed from: consumption per energy type in meter units, cost,
    headcount and floor area (None when not entered)."""

    consumption: Mapping[str, Decimal]
    cost_cny: Decimal
    headcount: int | None
    floor_area_m2: Decimal | None


def kgce(consumption: Mapping[str, Decimal], cfg: AccountingSettings) -> Decimal:
    """Comprehensive energy consumption in kgce: each energy type times its coefficient (water only if set)."""
    coeffs: dict[str, Decimal | None] = {
        cfg.electricity_code: cfg.kgce_per_kwh_electricity,
        cfg.gas_code: cfg.kgce_per_m3_gas,
        cfg.heat_code: cfg.kgce_per_gj_heat,
        cfg.water_code: cfg.kgce_per_m3_water,
    }
    total = Decimal(0)
    for code, amount in consumption.items():
        coeff = coeffs.get(code)
        if coeff is not None:
            total += amount * coeff
    return total


def carbon_t(consumption: Mapping[str, Decimal], cfg: AccountingSettings) -> Decimal:
    """Carbon emissions in tCO2: grid electricity (kWh / 1000 × t/MWh), gas (m³ × kg/m³ / 1000), heat (GJ × t/GJ)."""
    elec = consumption.get(cfg.electricity_code, Decimal(0))
    gas = consumption.get(cfg.gas_code, Decimal(0))
    heat = consumption.get(cfg.heat_code, Decimal(0))
    return (
        elec / 1000 * cfg.grid_emission_factor_t_per_mwh
        + gas * cfg.co2_kg_per_m3_gas / 1000
        + heat * cfg.co2_t_per_gj_heat
    )


def year_values(inputs: YearInputs, cfg: AccountingSettings) -> dict[str, Decimal | None]:
    """Every indicator of one year at full precision (None where a denominator is missing)."""
    c = inputs.consumption
    energy = kgce(c, cfg)
    water = c.get(cfg.water_code, Decimal(0))
    people = Decimal(inputs.headcount) if inputs.headcount else None
    area = inputs.floor_area_m2 if inputs.floor_area_m2 else None
    return {
        "comprehensive_energy_kgce": energy,
        "energy_per_capita_kgce": energy / people if people else None,
        "energy_per_m2_kgce": energy / area if area else None,
        "water_per_capita_m3": water / people if people else None,
        "electricity_kwh": c.get(cfg.electricity_code, Decimal(0)),
        "water_m3": water,
        "gas_m3": c.get(cfg.gas_code, Decimal(0)),
        "heat_gj": c.get(cfg.heat_code, Decimal(0)),
        "cost_cny": inputs.cost_cny,
        "carbon_tco2": carbon_t(c, cfg),
    }


@dataclass(frozen=True)
class Goal:
    max_value: Decimal | None = None
    min_reduction: Decimal | None = None


def goal_met(goal: Goal | None, value: Decimal | None, previous: Decimal | None) -> bool | None:
    """Met when the value is at most the ceiling and fell by at least the reduction against the previous
    year; None when there is no goal or the figures it needs are missing."""
    if goal is None or value is None:
        return None
    met = True
    if goal.max_value is not None:
        met = met and value <= goal.max_value
    if goal.min_reduction is not None:
        if not previous:
            return None
        met = met and (previous - value) / previous >= goal.min_reduction
    return met


def change_ratio(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if value is None or not previous:
        return None
    return (value - previous) / previous


@dataclass(frozen=True)
class Payback:
    baseline_cost_cny: Decimal
    expected_cost_cny: Decimal
    actual_cost_cny: Decimal
    saved_cny: Decimal
    days: int
    annual_saving_cny: Decimal | None
    payback_years: Decimal | None
    paid_back: bool
    paid_back_on: date | None


def payback(
    *, cost: Decimal, start: date, as_of: date, baseline_cost: Decimal, baseline_days: int, actual_cost: Decimal
) -> Payback:
    """Simple payback of an investment: the saving is the baseline year's daily cost times the days since
    ``start`` minus the actual cost of those days; the payback time is the cost over the yearly saving."""
    days = max(0, (as_of - start).days)
    expected = baseline_cost / baseline_days * days if baseline_days else Decimal(0)
    saved = expected - actual_cost
    annual = saved / days * 365 if days else None
    years = cost / annual if annual and annual > 0 else None
    paid_on = start + timedelta(days=float(cost / (saved / days))) if days and saved > 0 else None
    return Payback(
        baseline_cost_cny=baseline_cost,
        expected_cost_cny=expected,
        actual_cost_cny=actual_cost,
        saved_cny=saved,
        days=days,
        annual_saving_cny=annual,
        payback_years=years,
        paid_back=saved >= cost,
        paid_back_on=paid_on,
    )
