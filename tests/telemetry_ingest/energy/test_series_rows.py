"""The rows of a consumption answer from its series: ordered by bucket, then group in the series' order, each
bucket in the office's zone; read bucket by bucket when every series has the same buckets, sorted otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telemetry_ingest.energy.arithmetic import OfficeInstants
from telemetry_ingest.energy.schemas import ConsumptionSeries
from telemetry_ingest.energy.service import series_rows

T0 = datetime(2026, 3, 28, 22, tzinfo=UTC)
HOURS = [T0 + timedelta(hours=h) for h in range(6)]  # over Berlin's switch to summer time


def _series(group: str, buckets: list[datetime], base: float) -> ConsumptionSeries:
    return ConsumptionSeries(
        group=group,
        buckets=buckets,
        kwh=[base + i / 10 for i in range(len(buckets))],
        intervals=[4 + i for i in range(len(buckets))],
    )


def _expected(series: list[ConsumptionSeries], tz: ZoneInfo) -> list[tuple[str, str, float, int]]:
    """Every value of every series, sorted by bucket and then the series' position."""
    cells = sorted(
        (b, rank, s.group, k, n)
        for rank, s in enumerate(series)
        for b, k, n in zip(s.buckets, s.kwh, s.intervals, strict=True)
    )
    return [(g, b.astimezone(tz).isoformat(), k, n) for b, _rank, g, k, n in cells]


def _shown(series: list[ConsumptionSeries], tz: ZoneInfo) -> list[tuple[str, str, float, int]]:
    return [
        (r["group"], r["bucket"].isoformat(), r["kwh"], r["intervals"]) for r in series_rows(series, OfficeInstants(tz))
    ]


def test_rows_of_series_with_the_same_buckets_and_with_different_ones() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # groups in the database's order, not sorted in Python ("b" before "a")
    same = [_series("b", HOURS, 1.0), _series("a", list(HOURS), 2.0), _series("c", HOURS, 3.0)]
    rows = _shown(same, berlin)
    assert rows == _expected(same, berlin) and len(rows) == 18
    assert rows[:3] == [
        ("b", "2026-03-28T23:00:00+01:00", 1.0, 4),
        ("a", "2026-03-28T23:00:00+01:00", 2.0, 4),
        ("c", "2026-03-28T23:00:00+01:00", 3.0, 4),
    ]
    assert rows[-1][1] == "2026-03-29T05:00:00+02:00"  # each instant with its own offset
    # a meter missing some hours and one with an hour the others lack: sorted, the same order
    ragged = [_series("b", HOURS[1:4], 1.0), _series("a", HOURS, 2.0), _series("c", [HOURS[0], HOURS[5]], 3.0)]
    rows = _shown(ragged, berlin)
    assert rows == _expected(ragged, berlin) and len(rows) == 11
    assert [r[0] for r in rows[:4]] == ["a", "c", "b", "a"]
    assert series_rows([], OfficeInstants(berlin)) == []
