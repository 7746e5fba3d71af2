"""The waste rules of :mod:`.waste` over arrays: every meter's days at once.

:func:`.waste.daily_category_kw` and :func:`.waste.detect_days` are the reference; this module keeps their
semantics exactly and the equivalence tests assert the same findings: the hours of a (meter, day, category)
are summed in hour order from zero, the daily average is that sum over the number of hours with intervals,
and the expected load is ``np.percentile``'s linear interpolation, with numpy's own operations, over the
same history. A month of 400 meters judged against four weeks of history is ~36 000 percentiles: one
``np.percentile`` call each cost a second; sorted as one array they cost milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

import numpy as np

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy import waste

#: every hour category of every profile; a category's index is its position here
CATEGORIES = ("working", "night", "weekend", "holiday", "daylight", "dark", "continuous")
KINDS = ("working_day", "weekend", "holiday")
PROFILES = tuple(Profile)
HOURS = 24


@dataclass(frozen=True)
class DayHours:
    """kWh of each local hour of each meter-day: ``kwh[m, d, i]`` of meter ``meters[m]`` on ``first + d``
    in local hour ``i`` (meaningless where ``has`` is false: no reading interval in that hour)."""

    meters: list[str]
    first: date
    kwh: np.ndarray
    has: np.ndarray

    @classmethod
    def empty(cls, meters: list[str], first: date, days: int) -> DayHours:
        return cls(
            meters,
            first,
            np.zeros((len(meters), days, HOURS), dtype=np.float64),
            np.zeros((len(meters), days, HOURS), dtype=bool),
        )

    @property
    def days(self) -> int:
        return int(self.kwh.shape[1])


def fill_weeks(target: DayHours, rows: Sequence[tuple[str, int, bytes, bytes]]) -> None:
    """``energy_week_hours`` rows into ``target`` (whose ``first`` is a Monday): (meter, the week's offset in
    days from ``target.first``, the day masks (7 int4), the hourly kWh (7 x 24 float8)). Days past ``target``
    are left out."""
    if not rows:
        return
    index = {m: i for i, m in enumerate(target.meters)}
    meter = np.repeat(np.array([index[r[0]] for r in rows], dtype=np.intp), 7)
    day = (np.array([r[1] for r in rows], dtype=np.intp)[:, None] + np.arange(7)).ravel()
    masks = np.frombuffer(b"".join(r[2] for r in rows), dtype=">i4").astype(np.int64)
    kwh = np.frombuffer(b"".join(r[3] for r in rows), dtype=">f8").astype(np.float64).reshape(-1, HOURS)
    if len(masks) != len(day) or len(kwh) != len(day):
        raise ValueError("energy_week_hours rows are not 7 x 24 hourly values")
    row = meter * target.days + day  # [m, d] as one index
    keep = day < target.days
    if not keep.all():
        row, masks, kwh = row[keep], masks[keep], kwh[keep]
    target.kwh.reshape(-1, HOURS)[row] = kwh  # NaN where the mask says no interval: ignored with ``has`` false
    target.has.reshape(-1, HOURS)[row] = ((masks[:, None] >> np.arange(HOURS)) & 1).astype(bool)


def category_table(cal: UseCalendar) -> np.ndarray:
    """``[profile, day kind, hour]`` -> category index, by :func:`.waste.hour_category` (the rule itself)."""
    table = np.zeros((len(PROFILES), len(KINDS), HOURS), dtype=np.intp)
    for p, profile in enumerate(PROFILES):
        for k, kind in enumerate(KINDS):
            for i in range(HOURS):
                table[p, k, i] = CATEGORIES.index(waste.hour_category(profile, kind, time(i), cal))
    return table


def category_kw(
    hours: DayHours, profiles: Sequence[Profile], cal: UseCalendar
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`.waste.daily_category_kw` of every meter: (average kW, hours, sum kWh), each ``[m, d, category]``
    (hours 0: the category has no hour with intervals that day)."""
    n_m, n_d = hours.kwh.shape[:2]
    kinds = np.array(
        [KINDS.index(waste.day_kind(hours.first + timedelta(days=d), cal)) for d in range(n_d)], dtype=np.intp
    )
    prof = np.array([PROFILES.index(p) for p in profiles], dtype=np.intp)
    cats = category_table(cal)[prof[:, None], kinds[None, :], :]  # [m, d, hour]
    bucket = (np.arange(n_m * n_d, dtype=np.intp).reshape(n_m, n_d, 1) * len(CATEGORIES) + cats)[hours.has]
    size = n_m * n_d * len(CATEGORIES)
    # bincount adds in the order given: each (meter, day, category) sums its hours in hour order from 0.0
    kwh = np.bincount(bucket, weights=hours.kwh[hours.has], minlength=size).reshape(n_m, n_d, len(CATEGORIES))
    count = np.bincount(bucket, minlength=size).reshape(n_m, n_d, len(CATEGORIES))
    with np.errstate(invalid="ignore", divide="ignore"):
        kw = kwh / count
    return kw, count, kwh


def percentile_rows(values: np.ndarray, present: np.ndarray, percentile: float) -> np.ndarray:
    """``np.percentile(row[present_row], percentile)`` of every row (each with at least one present value),
    with numpy's operations for the default ``linear`` method: the virtual index ``(n - 1) * q``, its floor
    and the next order statistic (the maximum at or past the last index), and ``_lerp``'s two-sided
    interpolation; a row with a NaN answers NaN."""
    n = present.sum(axis=1)
    ordered = np.sort(np.where(present, values, np.inf), axis=1)  # the present values first, in order
    q = np.true_divide(percentile, 100)
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    above = virtual >= n - 1
    previous[above] = -1
    nxt = previous + 1
    nxt[above] = -1
    gamma = virtual - previous.astype(np.intp)
    last = n - 1
    i = np.where(above, last, previous.astype(np.intp))
    j = np.where(above, last, nxt.astype(np.intp))
    rows = np.arange(len(values))
    a, b = ordered[rows, i], ordered[rows, j]
    with np.errstate(invalid="ignore"):  # an infinite load: inf - inf is NaN, as in np.percentile
        diff = b - a
        out = np.add(a, diff * gamma)
        np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    out[(present & np.isnan(values)).any(axis=1)] = np.nan
    result: np.ndarray = out
    return result


@dataclass(frozen=True)
class Finding:
    meter: int
    finding: waste.WasteFinding


def detect(
    hours: DayHours,
    *,
    days: Sequence[date],
    profiles: Sequence[Profile],
    cal: UseCalendar,
    policy: waste.WastePolicy,
) -> list[Finding]:
    """:func:`.waste.detect_days` of every meter on each of ``days`` (within ``hours``' days) against its own
    history in ``hours``; ordered by meter, day and the profile's checked categories."""
    kw, count, _kwh = category_kw(hours, profiles, cal)
    present = count > 0
    n_m, n_d = kw.shape[:2]
    judged = np.array([(d - hours.first).days for d in days], dtype=np.intp)
    if not len(judged) or not n_m:
        return []
    if judged.min() < 0 or judged.max() >= n_d:
        raise ValueError("a judged day lies outside the hours")
    width = policy.history_days
    checked = {c: np.array([c in waste.CHECKED[p] for p in profiles], dtype=bool) for c in CATEGORIES}

    @cache
    def history(c: int) -> tuple[np.ndarray, np.ndarray]:
        """[m, judged day, width]: category ``c``'s averages of the ``width`` days before each judged day
        (padded with ``width`` absent days before the first)."""
        values = np.concatenate([np.zeros((n_m, width)), kw[:, :, c]], axis=1)
        there = np.concatenate([np.zeros((n_m, width), dtype=bool), present[:, :, c]], axis=1)
        view = np.lib.stride_tricks.sliding_window_view
        return view(values, width, axis=1)[:, judged], view(there, width, axis=1)[:, judged]

    found: list[tuple[int, int, int, int, waste.WasteFinding]] = []
    for c, cat in enumerate(CATEGORIES):
        if not checked[cat].any():
            continue
        hist_kw, hist_present = history(c)
        n = hist_present.sum(axis=-1)
        if cat in waste.FALLBACK:
            fb_kw, fb_present = history(CATEGORIES.index(waste.FALLBACK[cat]))
            short = (n < policy.min_history)[..., None]
            hist_kw = np.where(short, fb_kw, hist_kw)
            hist_present = np.where(short, fb_present, hist_present)
            n = hist_present.sum(axis=-1)
        current = kw[:, judged, c]
        judge = checked[cat][:, None] & present[:, judged, c] & (n >= policy.min_history)
        mi, ji = np.nonzero(judge)
        if not len(mi):
            continue
        expected = percentile_rows(hist_kw[mi, ji], hist_present[mi, ji], policy.percentile)
        over = expected * (1 + policy.tolerance)
        floor = expected + policy.min_excess_kw
        threshold = np.where(floor > over, floor, over)  # Python's max(over, floor)
        now = current[mi, ji]
        for k in np.flatnonzero(now > threshold).tolist():
            m, j = int(mi[k]), int(ji[k])
            order = waste.CHECKED[profiles[m]].index(cat)
            finding = waste.WasteFinding(
                days[j], cat, float(now[k]), float(threshold[k]), float(expected[k]), int(n[m, j])
            )
            found.append((m, j, order, c, finding))
    found.sort(key=lambda x: x[:3])
    return [Finding(m, f) for m, _j, _o, _c, f in found]
