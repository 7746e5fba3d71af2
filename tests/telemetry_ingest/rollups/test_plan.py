"""Pure planning of rollup refreshes and rollup reads."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telemetry_ingest.rollups.plan import day_ranges, pieces, touched_days

TZ = ZoneInfo("Asia/Shanghai")
KOLKATA = ZoneInfo("Asia/Kolkata")


def test_touched_hours_map_to_local_days_and_merge_into_ranges() -> None:
    utc = ZoneInfo("UTC")
    hours = [datetime(2026, 3, 1, 15, tzinfo=utc), datetime(2026, 3, 1, 16, tzinfo=utc)]  # 23:00 and 00:00 local
    assert touched_days(hours, TZ) == {date(2026, 3, 1), date(2026, 3, 2)}
    # an hour straddles two local days where the offset is not whole hours (+05:30)
    assert touched_days([datetime(2026, 3, 1, 18, tzinfo=utc)], KOLKATA) == {date(2026, 3, 1), date(2026, 3, 2)}
    days = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 9)]
    # a one-day hole merges (fewer, longer ranges), a longer one does not
    assert day_ranges(days) == [(date(2026, 3, 1), date(2026, 3, 5)), (date(2026, 3, 9), date(2026, 3, 10))]
    assert day_ranges(days, join_gap_days=1) == [
        (date(2026, 3, 1), date(2026, 3, 3)),
        (date(2026, 3, 4), date(2026, 3, 5)),
        (date(2026, 3, 9), date(2026, 3, 10)),
    ]


def test_pieces_use_the_coarsest_rollup_that_fits() -> None:
    start = datetime(2026, 1, 30, 5, tzinfo=TZ)
    end = datetime(2026, 4, 2, 7, tzinfo=TZ)
    got = pieces(start, end, TZ, None)
    assert [(p.grain, p.start, p.end) for p in got] == [
        ("hour", start, datetime(2026, 1, 31, tzinfo=TZ)),
        ("day", datetime(2026, 1, 31, tzinfo=TZ), datetime(2026, 2, 1, tzinfo=TZ)),
        ("month", datetime(2026, 2, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ)),
        ("day", datetime(2026, 4, 1, tzinfo=TZ), datetime(2026, 4, 2, tzinfo=TZ)),
        ("hour", datetime(2026, 4, 2, tzinfo=TZ), end),
    ]
    # pieces tile the window without gaps or overlaps, at any granularity
    for gran in ("hour", "day", "month", None):
        ps = pieces(start, end, TZ, gran)
        assert ps[0].start == start and ps[-1].end == end
        assert all(a.end == b.start for a, b in itertools.pairwise(ps))
    assert {p.grain for p in pieces(start, end, TZ, "day")} == {"hour", "day"}
    assert [p.grain for p in pieces(start, start + timedelta(hours=5), TZ, "month")] == ["hour"]
