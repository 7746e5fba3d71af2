"""The guidance component's pure score."""

from __future__ import annotations

from appraisal.guidance.rules import GuidanceTally, guidance_score


def test_attendance_share_minus_open_findings() -> None:
    assert guidance_score(GuidanceTally(), 10) is None
    assert guidance_score(GuidanceTally(invited=4, attended=4), 10) == 100.0
    assert guidance_score(GuidanceTally(invited=4, attended=3, open_findings=1), 10) == 65.0
    assert guidance_score(GuidanceTally(open_findings=2), 10) == 80.0
    assert guidance_score(GuidanceTally(invited=1, attended=0, open_findings=3), 10) == 0.0
