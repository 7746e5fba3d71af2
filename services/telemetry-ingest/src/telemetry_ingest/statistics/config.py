"""Conversion coefficients of the energy accounting: env prefix ``HOUQIN_TELEMETRY_``.

Defaults and their sources are explained in docs/telemetry-analytics.md ("Cost, standard coal and
carbon"). Every coefficient is configuration: an office whose gas supplier states another calorific
value, or a newer grid emission factor, overrides it without a code change.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ELECTRICITY, WATER, GAS, HEAT = "01000", "02000", "03000", "04000"


class AccountingSettings(BaseSettings):
    """Standard-coal and carbon coefficients; energy-type codes are those of ``telemetry.energy_code``."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_TELEMETRY_", extra="ignore")

    kgce_per_kwh_electricity: Decimal = Field(
        default=Decimal("0.1229"),
        description="kgce per kWh of electricity, equivalent value (当量值) of GB/T 2589-2020",
    )
    kgce_per_m3_gas: Decimal = Field(
        default=Decimal("1.2143"),
        description="kgce per m³ of natural gas (GB/T 2589-2020 appendix A, gas-field gas 35 544 kJ/m³)",
    )
    kgce_per_gj_heat: Decimal = Field(
        default=Decimal("34.12"), description="kgce per GJ of purchased heat (GB/T 2589-2020: 0.03412 kgce/MJ)"
    )
    kgce_per_m3_water: Decimal | None = Field(
        default=None,
        description="kgce per m³ of water; unset = not counted in comprehensive energy (the public-institution "
        "statistics report water as a resource beside energy, not converted to standard coal)",
    )
    grid_emission_factor_t_per_mwh: Decimal = Field(
        default=Decimal("0.5703"), description="tCO2 per MWh of grid electricity (national average)"
    )
    grid_emission_factor_year: int = Field(
        default=2023, description="year the grid emission factor was published (shown beside the carbon figure)"
    )
    grid_emission_factor_source: str = Field(
        default="生态环境部 环办气候函〔2023〕43号", description="who published the grid emission factor"
    )
    co2_kg_per_m3_gas: Decimal = Field(
        default=Decimal("2.1622"),
        description="kgCO2 per m³ of natural gas: 389.31 GJ/10⁴m³ × 15.3 tC/TJ × 99 % oxidised × 44/12",
    )
    co2_t_per_gj_heat: Decimal = Field(default=Decimal("0.11"), description="tCO2 per GJ of purchased heat")
    electricity_code: str = Field(default=ELECTRICITY, description="energy type of electricity meters (kWh)")
    water_code: str = Field(default=WATER, description="energy type of water meters (m³)")
    gas_code: str = Field(default=GAS, description="energy type of natural gas meters (m³)")
    heat_code: str = Field(default=HEAT, description="energy type of heat meters (GJ)")


@lru_cache
def get_accounting_settings() -> AccountingSettings:
    return AccountingSettings()
