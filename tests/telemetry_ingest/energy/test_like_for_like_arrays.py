"""The array pairing of like for like (``compare_series``) answers exactly as the definition over mappings
(``compare``): leap day, meters that start mid-year or stop, gaps, a meter of one period only, water apart."""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import date, timedelta

import numpy as np

from telemetry_ingest.energy import like_for_like as lfl

CARRIER_OF = {"e-a": "electricity", "e-b": "electricity", "g-c": "gas", "w-d": "water", "e-gone": "electricity"}
ENERGY = {"electricity", "gas"}


def _days(first: date, last: date, skip: Collection[date] = ()) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1) if first + timedelta(days=i) not in skip]


def _series(days_of: dict[str, list[date]], seed: int) -> lfl.DailySeries:
    """One ``(meter, day numbers, kwh)`` per meter, meters sorted, days shuffled (aligned with their kWh), as
    ``repository.daily_series`` may answer."""
    rnd = random.Random(seed)
    rows = []
    for meter in sorted(days_of):
        readings = [(lfl.day_number(d), rnd.uniform(0.0, 500.0)) for d in days_of[meter]]
        rnd.shuffle(readings)
        rows.append((meter, [d for d, _q in readings], [q for _d, q in readings]))
    return lfl.DailySeries.of(rows)


def _both() -> tuple[lfl.DailySeries, lfl.DailySeries]:
    previous = _series(
        {
            "e-a": _days(date(2024, 1, 1), date(2024, 12, 31), skip={date(2024, 3, 5), date(2024, 7, 1)}),
            "e-gone": _days(date(2024, 1, 1), date(2024, 6, 30)),  # retired: the previous period only
            "g-c": _days(date(2024, 2, 20), date(2024, 3, 10)),
            "w-d": _days(date(2024, 1, 1), date(2024, 12, 31)),
        },
        seed=1,
    )
    current = _series(
        {
            "e-a": _days(date(2025, 1, 1), date(2025, 12, 31), skip={date(2025, 8, 8)}),
            "e-b": _days(date(2025, 6, 15), date(2025, 12, 31)),  # added mid-year: nothing to pair
            "g-c": _days(date(2025, 2, 25), date(2025, 3, 3)),
            "w-d": _days(date(2025, 1, 1), date(2025, 12, 31)),
        },
        seed=2,
    )
    return current, previous


def test_year_earlier_days_is_year_earlier_day() -> None:
    days = _days(date(2019, 12, 1), date(2029, 3, 31))
    before, has = lfl.year_earlier_days(np.array([lfl.day_number(d) for d in days], dtype=np.int64))
    expected = [lfl.year_earlier_day(d) for d in days]
    assert [lfl.day_of(b) if h else None for b, h in zip(before.tolist(), has.tolist(), strict=True)] == expected
    assert expected.count(None) == 3  # 29 February 2020, 2024, 2028 (positive control of the leap rule)


def test_series_mapping_is_in_row_order() -> None:
    """By day, then meter: the order of ``repository.consumption`` rows, which the float sums follow."""
    current, _previous = _both()
    keys = list(current.as_mapping())
    assert keys == sorted(keys, key=lambda k: (k[1], k[0]))
    assert (("e-a", date(2025, 8, 8)) in keys, ("e-a", date(2025, 8, 9)) in keys) == (False, True)


def test_compare_series_is_compare() -> None:
    current, previous = _both()
    fast = lfl.compare_series(current, previous, CARRIER_OF, ENERGY)
    slow = lfl.compare(current.as_mapping(), previous.as_mapping(), CARRIER_OF, ENERGY)
    for name in ("quantity", "previous", "compared", "compared_previous"):
        assert list(getattr(fast, name).items()) == list(getattr(slow, name).items()), name  # same bits, same order
    counts = [
        "meters_current",
        "meter_days_current",
        "meters_previous",
        "meter_days_previous",
        "meters_compared",
        "meter_days_compared",
        "energy_days_current",
        "energy_days_compared",
    ]
    assert [getattr(fast, c) for c in counts] == [getattr(slow, c) for c in counts]
    assert fast.pairs.current() == slow.pairs.current() and fast.pairs.previous() == slow.pairs.previous()
    # what is and is not paired (positive and negative controls)
    pairs = fast.pairs.current()
    assert ("e-a", date(2025, 3, 5)) not in pairs and ("e-a", date(2025, 3, 6)) in pairs  # a gap a year earlier
    assert ("e-a", date(2025, 8, 8)) not in pairs and ("e-a", date(2025, 8, 7)) in pairs  # a gap this year
    assert not any(m == "e-b" for m, _d in pairs) and "e-b" in current.meters  # counted, never paired
    assert ("g-c", date(2025, 2, 28)) in pairs and ("g-c", date(2025, 3, 1)) in pairs
    assert ("g-c", date(2024, 2, 29)) not in fast.pairs.previous()  # the leap day has no twin
    assert (fast.meters_current, fast.meters_previous, fast.meters_compared) == (4, 4, 3)
    assert fast.energy_days_current == fast.meter_days_current - 365  # water is not an energy carrier


def test_compare_series_with_an_empty_period() -> None:
    current, previous = _both()
    empty = lfl.DailySeries.of([])
    alone = lfl.compare_series(current, empty, CARRIER_OF, ENERGY)
    assert (len(alone.pairs), alone.meter_days_previous, alone.compared) == (0, 0, {})
    assert alone.meter_days_current == len(current.day) > 0
    nothing = lfl.compare_series(empty, previous, CARRIER_OF, ENERGY)
    assert (nothing.meter_days_current, nothing.compared_share, len(nothing.pairs)) == (0, 0.0, 0)
    assert nothing.meter_days_previous == len(previous.day) > 0
