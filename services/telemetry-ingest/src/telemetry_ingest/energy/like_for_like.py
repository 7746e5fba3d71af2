"""Like-for-like comparison of a period with the same period a year earlier: the meter-days that reported in both."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.schemas import EnergyCarrier, EnergyScope
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import repository, service
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.statistics.config import AccountingSettings

MeterDay = tuple[str, date]


def year_earlier_day(day: date) -> date | None:
    """The same calendar day a year earlier; 29 February has none (it is not compared)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return None


async def daily_by_meter(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> dict[MeterDay, float]:
    """Quantity per (meter, local day) with at least one reading interval, from the daily rollups where they
    are current (the raw readings elsewhere: the same answer as the raw readings)."""
    tz = ZoneInfo(settings.timezone)
    how = await service.plan(session, settings=settings, flt=flt, start=start, end=end, granularity="day")
    rows = await repository.consumption(
        session,
        flt=flt,
        win=service.window(settings, start, end),
        granularity="day",
        group_by="meter",
        rolled=how.rolled,
        raw_start=how.raw_start,
    )
    return {(str(r["group"]), r["bucket"].astimezone(tz).date()): r["kwh"] for r in rows if int(r["intervals"]) > 0}


@dataclass
class Comparison:
    """Per carrier (energy type): every meter-day of each period and the compared ones; the scope counts."""

    quantity: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    previous: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    compared: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    compared_previous: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pairs: set[MeterDay] = field(default_factory=set)
    meters_current: int = 0
    meter_days_current: int = 0
    meters_previous: int = 0
    meter_days_previous: int = 0
    meters_compared: int = 0
    meter_days_compared: int = 0
    energy_days_current: int = 0
    energy_days_compared: int = 0

    @property
    def compared_share(self) -> float:
        """Compared meter-days of energy carriers over those of the current period (water not counted)."""
        return self.energy_days_compared / self.energy_days_current if self.energy_days_current else 0.0


def compare(
    current: Mapping[MeterDay, float],
    previous: Mapping[MeterDay, float],
    carrier_of: Mapping[str, str],
    energy_carriers: set[str],
) -> Comparison:
    """Pair each meter-day of ``current`` with the same meter's same day a year earlier in ``previous``."""
    out = Comparison()
    for (meter, day), q in current.items():
        carrier = carrier_of[meter]
        out.quantity[carrier] += q
        energy = carrier in energy_carriers
        out.energy_days_current += energy
        before_day = year_earlier_day(day)
        if before_day is None or (meter, before_day) not in previous:
            continue
        out.compared[carrier] += q
        out.compared_previous[carrier] += previous[(meter, before_day)]
        out.pairs.add((meter, day))
        out.energy_days_compared += energy
    for (meter, _day), q in previous.items():
        out.previous[carrier_of[meter]] += q
    out.meters_current = len({m for m, _d in current})
    out.meter_days_current = len(current)
    out.meters_previous = len({m for m, _d in previous})
    out.meter_days_previous = len(previous)
    out.meters_compared = len({m for m, _d in out.pairs})
    out.meter_days_compared = len(out.pairs)
    return out


def kgce(quantities: Mapping[str, float], factors: Mapping[str, float | None]) -> float:
    """Standard coal of the carriers that have a factor (water has none: it is a resource, not energy)."""
    return sum(q * f for c, q in quantities.items() if (f := factors.get(c)) is not None)


def kgce_factors(cfg: AccountingSettings) -> dict[str, float | None]:
    """kgce per unit of each carrier (GB/T 2589, settings); water has none unless configured."""
    return {
        cfg.electricity_code: float(cfg.kgce_per_kwh_electricity),
        cfg.gas_code: float(cfg.kgce_per_m3_gas),
        cfg.heat_code: float(cfg.kgce_per_gj_heat),
        cfg.water_code: float(cfg.kgce_per_m3_water) if cfg.kgce_per_m3_water is not None else None,
    }


def scope(cmp: Comparison, meters: int) -> EnergyScope:
    """The scope of a comparison as the answers state it."""
    return EnergyScope(
        meters=meters,
        meters_current=cmp.meters_current,
        meter_days_current=cmp.meter_days_current,
        meters_previous=cmp.meters_previous,
        meter_days_previous=cmp.meter_days_previous,
        meters_compared=cmp.meters_compared,
        meter_days_compared=cmp.meter_days_compared,
        compared_share=cmp.compared_share,
    )


def carriers(cmp: Comparison, units: Mapping[str, str], factors: Mapping[str, float | None]) -> list[EnergyCarrier]:
    """Every carrier of the comparison in its own unit."""
    out = []
    for c in sorted(set(cmp.quantity) | set(cmp.previous) | set(units)):
        now, before = cmp.compared.get(c, 0.0), cmp.compared_previous.get(c, 0.0)
        out.append(
            EnergyCarrier(
                energy_type=c,
                unit=units.get(c) or "",
                kgce_per_unit=factors.get(c),
                quantity=cmp.quantity.get(c, 0.0),
                previous_quantity=cmp.previous.get(c, 0.0),
                compared_quantity=now,
                compared_previous_quantity=before,
                saving_ratio=(before - now) / before if before else None,
            )
        )
    return out
