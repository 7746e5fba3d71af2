"""Like-for-like comparison of a period with the same period a year earlier: the meter-days that reported in both."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray
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


EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()


def day_number(day: date) -> int:
    """A local day as its number of days since 1970-01-01 (how the series carry days)."""
    return day.toordinal() - _EPOCH_ORDINAL


def day_of(number: int) -> date:
    """The local day of a day number (:func:`day_number`)."""
    return date.fromordinal(number + _EPOCH_ORDINAL)


def year_earlier_days(days: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """:func:`year_earlier_day` of each day number, and which have one (29 February has none): month
    arithmetic in numpy, so a year of meter-days is not a ``date.replace`` each."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    month_before = month - np.timedelta64(12, "M")
    before = month_before.astype("datetime64[D]") + (d - month.astype("datetime64[D]"))
    # 29 February lands on 1 March of a common year: that day has no year-earlier twin
    return before.astype(np.int64), before.astype("datetime64[M]") == month_before


@dataclass(frozen=True)
class DailySeries:
    """The meter-days of a window with at least one reading interval, as arrays in the order of the rows of
    ``repository.consumption`` (by day, then meter as the database orders meter ids): the same meter-days as
    :func:`daily_by_meter`, which sums and pairs them in that order (so the float sums are the same)."""

    meters: list[str]
    meter: NDArray[np.int64]  # index into ``meters`` of each meter-day
    day: NDArray[np.int64]  # local day number (:func:`day_number`)
    kwh: NDArray[np.float64]

    @classmethod
    def of(cls, rows: Sequence[tuple[str, Sequence[int], Sequence[float]]]) -> DailySeries:
        """From one ``(meter, days, kwh)`` per meter (``repository.daily_series``: meters in the database's
        order, days in any order), sorted by day then meter."""
        meters = [r[0] for r in rows]
        meter = np.repeat(np.arange(len(rows), dtype=np.int64), [len(r[1]) for r in rows])
        day = np.concatenate([np.asarray(r[1], dtype=np.int64) for r in rows]) if rows else meter
        kwh = np.concatenate([np.asarray(r[2], dtype=np.float64) for r in rows]) if rows else meter.astype(np.float64)
        order = np.lexsort((meter, day))
        return cls(meters=meters, meter=meter[order], day=day[order], kwh=kwh[order])

    def as_mapping(self) -> dict[MeterDay, float]:
        """Quantity per (meter, local day), in row order."""
        names = self.meters
        return {
            (names[m], day_of(d)): q
            for m, d, q in zip(self.meter.tolist(), self.day.tolist(), self.kwh.tolist(), strict=True)
        }


async def daily_series(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> DailySeries:
    """The meter-days with at least one reading interval and their quantity, from the daily rollups where they
    are current (the raw readings elsewhere: the same answer as the raw readings)."""
    how = await service.plan(session, settings=settings, flt=flt, start=start, end=end, granularity="day")
    rows = await repository.daily_series(
        session, flt=flt, win=service.window(settings, start, end), rolled=how.rolled, raw_start=how.raw_start
    )
    return DailySeries.of(rows)


async def daily_by_meter(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> dict[MeterDay, float]:
    """Quantity per (meter, local day) with at least one reading interval (:func:`daily_series` as a mapping)."""
    return (await daily_series(session, settings=settings, flt=flt, start=start, end=end)).as_mapping()


@dataclass(frozen=True)
class MeterDayPairs:
    """The compared meter-days: the meter, its day and the same day a year earlier (day numbers), as lists
    that go to SQL as arrays (``tariffs.repository.pair_costs``) without a tuple and a date per meter-day."""

    meters: list[str] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    previous_days: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.meters)

    def current(self) -> set[MeterDay]:
        """The compared (meter, local day) of the current period."""
        return {(m, day_of(d)) for m, d in zip(self.meters, self.days, strict=True)}

    def previous(self) -> set[MeterDay]:
        """Their twins a year earlier."""
        return {(m, day_of(d)) for m, d in zip(self.meters, self.previous_days, strict=True)}


@dataclass
class Comparison:
    """Per carrier (energy type): every meter-day of each period and the compared ones; the scope counts."""

    quantity: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    previous: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    compared: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    compared_previous: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pairs: MeterDayPairs = field(default_factory=MeterDayPairs)
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
    """Pair each meter-day of ``current`` with the same meter's same day a year earlier in ``previous``
    (the definition; :func:`compare_series` is the same over arrays)."""
    out = Comparison()
    pairs = MeterDayPairs()
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
        pairs.meters.append(meter)
        pairs.days.append(day_number(day))
        pairs.previous_days.append(day_number(before_day))
        out.energy_days_compared += energy
    for (meter, _day), q in previous.items():
        out.previous[carrier_of[meter]] += q
    out.pairs = pairs
    out.meters_current = len({m for m, _d in current})
    out.meter_days_current = len(current)
    out.meters_previous = len({m for m, _d in previous})
    out.meter_days_previous = len(previous)
    out.meters_compared = len(set(pairs.meters))
    out.meter_days_compared = len(pairs)
    return out


def _by_carrier(values: NDArray[np.float64], carrier: NDArray[np.int64], names: list[str]) -> dict[str, float]:
    """Per carrier, the values summed one after the other in array order (``cumsum`` adds sequentially: the
    float sums of a loop), carriers in order of first appearance (the insertion order of a loop's dict)."""
    out: dict[str, float] = defaultdict(float)
    if not len(values):
        return out
    present, first = np.unique(carrier, return_index=True)
    for c in present[np.argsort(first)].tolist():
        out[names[c]] = float(np.cumsum(values[carrier == c])[-1])
    return out


def compare_series(
    current: DailySeries, previous: DailySeries, carrier_of: Mapping[str, str], energy_carriers: set[str]
) -> Comparison:
    """:func:`compare` over arrays: the same pairs, counts and per-carrier sums (summed in the same order),
    without a dict lookup and a ``date.replace`` per meter-day (a year of 40 meters is 14 600 of them)."""
    carriers = sorted({carrier_of[m] for m in current.meters} | {carrier_of[m] for m in previous.meters})
    carrier_index = {c: i for i, c in enumerate(carriers)}
    energy = np.array([c in energy_carriers for c in carriers], dtype=bool)
    code = {m: i for i, m in enumerate(dict.fromkeys([*current.meters, *previous.meters]))}

    def per_meter(series: DailySeries, of: Mapping[str, int]) -> NDArray[np.int64]:
        return np.array([of[m] for m in series.meters], dtype=np.int64)

    cur_carrier = per_meter(current, {m: carrier_index[carrier_of[m]] for m in current.meters})[current.meter]
    prev_carrier = per_meter(previous, {m: carrier_index[carrier_of[m]] for m in previous.meters})[previous.meter]
    # a (meter, day) as one integer, meters by a code shared by both periods
    cur_code = per_meter(current, code)[current.meter]
    prev_code = per_meter(previous, code)[previous.meter]
    before, has_before = year_earlier_days(current.day)
    wanted = (cur_code << 32) + before
    have = (prev_code << 32) + previous.day
    if len(have):
        order = np.argsort(have, kind="stable")
        found = order[np.minimum(np.searchsorted(have, wanted, sorter=order), len(have) - 1)]
        paired = has_before & (have[found] == wanted)
    else:
        found, paired = np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    match = found[paired]

    out = Comparison()
    out.quantity = _by_carrier(current.kwh, cur_carrier, carriers)
    out.previous = _by_carrier(previous.kwh, prev_carrier, carriers)
    out.compared = _by_carrier(current.kwh[paired], cur_carrier[paired], carriers)
    out.compared_previous = _by_carrier(previous.kwh[match], cur_carrier[paired], carriers)
    names = np.array(current.meters, dtype=object)
    out.pairs = MeterDayPairs(
        meters=names[current.meter[paired]].tolist() if len(names) else [],
        days=current.day[paired].tolist(),
        previous_days=before[paired].tolist(),
    )
    out.meters_current = len(np.unique(current.meter))
    out.meter_days_current = len(current.day)
    out.meters_previous = len(np.unique(previous.meter))
    out.meter_days_previous = len(previous.day)
    out.meters_compared = len(np.unique(current.meter[paired]))
    out.meter_days_compared = int(paired.sum())
    out.energy_days_current = int(energy[cur_carrier].sum()) if len(cur_carrier) else 0
    out.energy_days_compared = int(energy[cur_carrier[paired]].sum()) if len(cur_carrier) else 0
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
