"""Cost of consumption under versioned tariffs: pure functions, Decimal money, no I/O.

A time-of-use (分时) tariff divides the local day into windows (peak 峰, flat 平, valley 谷, and in
some months critical peak 尖峰); a reading interval that spans a window boundary is split in proportion
to time, because a cumulative register says only how much was used between two readings. Amounts keep
full precision while they are summed and are rounded to the fen (0.01 CNY) only where they are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

FEN = Decimal("0.01")


class Period(StrEnum):
    """Price period of a time-of-use tariff; ``single`` is the one price of a flat-rate tariff."""

    single = "single"
    critical = "critical"
    peak = "peak"
    flat = "flat"
    valley = "valley"


class Scope(StrEnum):
    """What a tariff applies to; the most specific scope with a version in force wins."""

    all = "all"
    building = "building"
    meter = "meter"


SCOPE_RANK = {Scope.meter: 0, Scope.building: 1, Scope.all: 2}


@dataclass(frozen=True)
class Window:
    """``[start, end)`` of the local day in ``period``; ``end`` 00:00 means midnight; ``months`` limits it
    to those months (critical peak in July and August) and such a window takes precedence over the others."""

    start: time
    end: time
    period: Period
    months: frozenset[int] | None = None

    def covers(self, t: time, month: int) -> bool:
        if self.months is not None and month not in self.months:
            return False
        if self.end == time(0) or self.end <= self.start:  # to midnight, or over midnight
            return t >= self.start or t < self.end
        return self.start <= t < self.end


@dataclass(frozen=True)
class Tariff:
    """One version of a tariff: prices in CNY per unit of the meter (kWh, m³, GJ) from ``effective_from``."""

    id: str
    energy_type: str
    effective_from: date
    prices: dict[Period, Decimal]
    windows: tuple[Window, ...] = ()
    scope: Scope = Scope.all
    scope_id: str | None = None

    def period_at(self, local: datetime) -> Period:
        """The price period at a local time: month-limited windows first, then the others, else flat."""
        if not self.windows:
            return Period.single
        t, month = local.timetz().replace(tzinfo=None), local.month
        for special in (True, False):
            for w in self.windows:
                if (w.months is not None) == special and w.covers(t, month):
                    return w.period
        return Period.flat

    def boundaries(self) -> list[time]:
        """Times of day where the period may change (window edges)."""
        return sorted({w.start for w in self.windows} | {w.end for w in self.windows})


@dataclass
class CostTotal:
    """Quantity and cost per period; ``unpriced`` is consumption no tariff version covered."""

    quantity: dict[Period, Decimal] = field(default_factory=dict)
    cost: dict[Period, Decimal] = field(default_factory=dict)
    unpriced: Decimal = Decimal(0)

    def add(self, period: Period, quantity: Decimal, cost: Decimal) -> None:
        self.quantity[period] = self.quantity.get(period, Decimal(0)) + quantity
        self.cost[period] = self.cost.get(period, Decimal(0)) + cost

    def merge(self, other: CostTotal) -> None:
        for p, q in other.quantity.items():
            self.add(p, q, other.cost[p])
        self.unpriced += other.unpriced

    @property
    def total_cost(self) -> Decimal:
        return sum(self.cost.values(), Decimal(0))

    @property
    def total_quantity(self) -> Decimal:
        return sum(self.quantity.values(), Decimal(0)) + self.unpriced


def to_decimal(value: float | Decimal) -> Decimal:
    """A float from SQL as the Decimal of its shortest repr (0.1 stays 0.1, not 0.1000000000000000055...)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def yuan(value: Decimal) -> Decimal:
    """Rounded to the fen, half up, as an invoice rounds."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def in_force(versions: Sequence[Tariff], day: date) -> Tariff | None:
    """The version in force on ``day`` among the versions of one scope and energy type (latest start wins)."""
    best: Tariff | None = None
    for v in versions:
        if v.effective_from <= day and (best is None or v.effective_from > best.effective_from):
            best = v
    return best


def select(tariffs: Iterable[Tariff], *, energy_type: str, meter_id: str, building: str, day: date) -> Tariff | None:
    """The tariff of a meter on a day: meter scope, else its building's, else the all-buildings one."""
    by_scope: dict[Scope, list[Tariff]] = {}
    for t in tariffs:
        if t.energy_type != energy_type:
            continue
        if (
            (t.scope is Scope.meter and t.scope_id == meter_id)
            or (t.scope is Scope.building and t.scope_id == building)
            or t.scope is Scope.all
        ):
            by_scope.setdefault(t.scope, []).append(t)
    for scope in sorted(by_scope, key=SCOPE_RANK.__getitem__):
        found = in_force(by_scope[scope], day)
        if found is not None:
            return found
    return None


def _cuts(start: datetime, end: datetime, edges: Sequence[time], tz: ZoneInfo) -> list[datetime]:
    """``start``, every local window edge and midnight strictly inside ``(start, end)``, and ``end``."""
    ls, le = start.astimezone(tz), end.astimezone(tz)
    points = {ls, le}
    day = ls.date()
    while day <= le.date():
        for t in (time(0), *edges):
            p = datetime.combine(day, t, tz)
            if ls < p < le:
                points.add(p)
        day += timedelta(days=1)
    return sorted(points)


class Pricer:
    """Prices intervals under a set of tariff versions; remembers the version in force per meter and day and
    the window edges per energy type, because a year of 15-minute intervals asks the same questions often."""

    def __init__(self, tariffs: Sequence[Tariff], tz: ZoneInfo) -> None:
        self.tariffs = list(tariffs)
        self.tz = tz
        self._edges: dict[str, list[time]] = {}
        self._chosen: dict[tuple[str, str, str, date], Tariff | None] = {}
        self._edge_us: dict[str, list[int]] = {}
        self._periods: dict[tuple[str, int, int, int, int], Period] = {}

    def edges(self, energy_type: str) -> list[time]:
        if energy_type not in self._edges:
            self._edges[energy_type] = sorted(
                {e for t in self.tariffs if t.energy_type == energy_type for e in t.boundaries()}
            )
        return self._edges[energy_type]

    def _inside_one_piece(self, local_start: datetime, span_us: int, energy_type: str) -> bool:
        """True when ``[local_start, local_start + span)`` crosses no window edge and no midnight."""
        if energy_type not in self._edge_us:
            self._edge_us[energy_type] = [
                (t.hour * 3600 + t.minute * 60 + t.second) * 1_000_000 + t.microsecond for t in self.edges(energy_type)
            ]
        t = local_start.timetz()
        s0 = (t.hour * 3600 + t.minute * 60 + t.second) * 1_000_000 + t.microsecond
        s1 = s0 + span_us
        if s1 > 86_400 * 1_000_000:
            return False
        return not any(s0 < e < s1 for e in self._edge_us[energy_type])

    def _period(self, tariff: Tariff, local: datetime) -> Period:
        key = (tariff.id, local.month, local.hour, local.minute, local.second)
        found = self._periods.get(key)
        if found is None:
            found = self._periods[key] = tariff.period_at(local)
        return found

    def tariff(self, energy_type: str, meter_id: str, building: str, day: date) -> Tariff | None:
        key = (energy_type, meter_id, building, day)
        if key not in self._chosen:
            self._chosen[key] = select(
                self.tariffs, energy_type=energy_type, meter_id=meter_id, building=building, day=day
            )
        return self._chosen[key]

    def edge_seconds(self) -> list[float]:
        """Every window edge of every tariff, in seconds after local midnight (for the SQL pre-summing)."""
        edges = {t for tariff in self.tariffs for t in tariff.boundaries()}
        return sorted(float(t.hour * 3600 + t.minute * 60 + t.second) for t in edges if t != time(0))

    def cost_at(
        self, start: datetime, quantity: Decimal, *, energy_type: str, meter_id: str, building: str
    ) -> CostTotal:
        """Cost of ``quantity`` used in a stretch starting at ``start`` that crosses no edge and no midnight."""
        out = CostTotal()
        local = start.astimezone(self.tz)
        tariff = self.tariff(energy_type, meter_id, building, local.date())
        period = self._period(tariff, local) if tariff is not None else None
        price = None if tariff is None or period is None else tariff.prices.get(period)
        if price is None or period is None:
            out.unpriced += quantity
        else:
            out.add(period, quantity, quantity * price)
        return out

    def cost(
        self, start: datetime, end: datetime, quantity: Decimal, *, energy_type: str, meter_id: str, building: str
    ) -> CostTotal:
        """Cost of ``quantity`` used over ``[start, end)``, split across period boundaries (and midnights, where
        a new version may take over) in proportion to the time in each piece."""
        out = CostTotal()
        span = int((end - start).total_seconds() * 1_000_000)
        if span <= 0:
            return out
        if self._inside_one_piece(start.astimezone(self.tz), span, energy_type):
            # the common case (quarter-hour readings, edges on the hour): no split, no Decimal division
            return self.cost_at(start, quantity, energy_type=energy_type, meter_id=meter_id, building=building)
        cuts = _cuts(start, end, self.edges(energy_type), self.tz)
        for a, b in pairwise(cuts):
            share = quantity * Decimal(int((b - a).total_seconds() * 1_000_000)) / Decimal(span)
            tariff = self.tariff(energy_type, meter_id, building, a.date())
            price = None if tariff is None else tariff.prices.get(tariff.period_at(a))
            if tariff is None or price is None:
                out.unpriced += share
                continue
            out.add(tariff.period_at(a), share, share * price)
        return out


def interval_cost(
    start: datetime,
    end: datetime,
    quantity: Decimal,
    *,
    tariffs: Sequence[Tariff],
    energy_type: str,
    meter_id: str,
    building: str,
    tz: ZoneInfo,
) -> CostTotal:
    """Cost of one interval (see :meth:`Pricer.cost`)."""
    return Pricer(tariffs, tz).cost(start, end, quantity, energy_type=energy_type, meter_id=meter_id, building=building)
