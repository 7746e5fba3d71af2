"""Time-of-use cost by hand: a July day of 15-minute readings at :05, :20, :35, :50 (so intervals straddle
every window edge), priced to the fen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from telemetry_ingest.tariffs.arithmetic import Period, Pricer, Scope, Tariff, Window, interval_cost, select, yuan

TZ = ZoneInfo("Asia/Shanghai")
Q = timedelta(minutes=15)
D = Decimal

#: an example two-part province schedule: valley 23-07, peak 08-11 and 18-23, flat otherwise, and in July and
#: August the critical peak 10-11 (it replaces the peak hour)
WINDOWS = (
    Window(time(23), time(7), Period.valley),
    Window(time(8), time(11), Period.peak),
    Window(time(18), time(23), Period.peak),
    Window(time(10), time(11), Period.critical, frozenset({7, 8})),
)
PRICES = {Period.critical: D("1.2836"), Period.peak: D("1.0697"), Period.flat: D("0.6685"), Period.valley: D("0.2674")}
TOU = Tariff("tou", "01000", date(2026, 1, 1), PRICES, WINDOWS)


def day_intervals(day: date) -> list[tuple[datetime, datetime, Decimal]]:
    """96 intervals from 00:05 to 00:05 the next day, 1.5 kWh each except 06:50-07:05 (3 kWh) and
    10:50-11:05 (6 kWh), the two that straddle a price change."""
    out = []
    ts = datetime.combine(day, time(0, 5), TZ)
    for _ in range(96):
        kwh = {time(6, 50): D(3), time(10, 50): D(6)}.get(ts.time(), D("1.5"))
        out.append((ts, ts + Q, kwh))
        ts += Q
    return out


def test_a_july_day_costs_exactly_the_hand_computed_yuan() -> None:
    # minutes covered 00:05 -> 24:05: valley 480, flat 480, peak 420, critical 60, at 0.1 kWh/min;
    # 06:50-07:05 adds 1.0 kWh to valley and 0.5 to flat, 10:50-11:05 adds 3.0 to critical and 1.5 to flat
    # valley 49 × 0.2674 = 13.1026; flat 50 × 0.6685 = 33.4250; peak 42 × 1.0697 = 44.9274;
    # critical 9 × 1.2836 = 11.5524; total 103.0074 -> 103.01
    pricer = Pricer([TOU], TZ)
    total = None
    for start, end, kwh in day_intervals(date(2026, 7, 15)):
        cost = pricer.cost(start, end, kwh, energy_type="01000", meter_id="m", building="A")
        if total is None:
            total = cost
        else:
            total.merge(cost)
    assert total is not None
    assert total.quantity == {Period.valley: D(49), Period.flat: D(50), Period.peak: D(42), Period.critical: D(9)}
    assert total.cost[Period.valley] == D("13.1026")
    assert total.cost[Period.critical] == D("11.5524")
    assert total.total_cost == D("103.0074")
    assert yuan(total.total_cost) == D("103.01")
    assert total.unpriced == 0


def test_the_same_day_in_january_has_no_critical_peak() -> None:
    # the critical hour is a peak hour in January: peak 51 × 1.0697 = 54.5547 replaces 44.9274 + 11.5524
    pricer = Pricer([TOU], TZ)
    cost = [
        pricer.cost(s, e, q, energy_type="01000", meter_id="m", building="A")
        for s, e, q in day_intervals(date(2026, 1, 14))
    ]
    assert sum((c.quantity.get(Period.critical, D(0)) for c in cost), D(0)) == 0
    assert sum((c.quantity.get(Period.peak, D(0)) for c in cost), D(0)) == D(51)
    assert yuan(sum((c.total_cost for c in cost), D(0))) == yuan(D("13.1026") + D("33.4250") + D("54.5547"))


def test_an_interval_over_a_boundary_is_split_in_proportion() -> None:
    start = datetime(2026, 3, 2, 6, 50, tzinfo=TZ)
    cost = interval_cost(start, start + Q, D(3), tariffs=[TOU], energy_type="01000", meter_id="m", building="A", tz=TZ)
    assert cost.quantity == {Period.valley: D(2), Period.flat: D(1)}
    assert cost.cost == {Period.valley: D("0.5348"), Period.flat: D("0.6685")}


def test_versions_and_scopes() -> None:
    later = Tariff("v2", "01000", date(2026, 7, 16), {Period.single: D("0.5")})
    building = Tariff("b", "01000", date(2020, 1, 1), {Period.single: D("0.9")}, scope=Scope.building, scope_id="B")
    meter = Tariff("m", "01000", date(2026, 7, 20), {Period.single: D("0.1")}, scope=Scope.meter, scope_id="M1")
    water = Tariff("w", "02000", date(2020, 1, 1), {Period.single: D("4.9")})
    every = [TOU, later, building, meter, water]
    assert select(every, energy_type="01000", meter_id="M1", building="A", day=date(2026, 7, 15)) is TOU
    assert select(every, energy_type="01000", meter_id="M1", building="A", day=date(2026, 7, 16)) is later
    assert select(every, energy_type="01000", meter_id="M1", building="A", day=date(2026, 7, 20)) is meter
    assert select(every, energy_type="01000", meter_id="M2", building="B", day=date(2026, 7, 16)) is building
    assert select(every, energy_type="02000", meter_id="M1", building="A", day=date(2026, 7, 16)) is water
    assert select(every, energy_type="03000", meter_id="M1", building="A", day=date(2026, 7, 16)) is None
    # an interval over the midnight where v2 takes over: 10 minutes at the valley price, 5 at 0.5
    start = datetime(2026, 7, 15, 23, 55, tzinfo=TZ)
    cost = interval_cost(start, start + Q, D(3), tariffs=every, energy_type="01000", meter_id="X", building="A", tz=TZ)
    assert cost.cost == {Period.valley: D(1) * D("0.2674"), Period.single: D(2) * D("0.5")}
    # no tariff at all: the consumption is reported unpriced, never priced at zero
    gas = interval_cost(start, start + Q, D(3), tariffs=every, energy_type="03000", meter_id="X", building="A", tz=TZ)
    assert gas.unpriced == D(3) and gas.total_cost == 0
