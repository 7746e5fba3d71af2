"""Pure rules of the conference centre: size classes, utilisation, the savings estimate, a meeting's score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from appraisal.conference import rules

CLASSES = {"small": 1, "medium": 50, "large": 200}


def test_size_class_is_the_largest_reached() -> None:
    assert [rules.size_class(n, CLASSES) for n in (1, 49, 50, 199, 200, 900)] == [
        "small",
        "small",
        "medium",
        "medium",
        "large",
        "large",
    ]


def test_working_days_and_utilisation() -> None:
    assert rules.working_days(date(2026, 12, 7), date(2026, 12, 14)) == 5
    assert rules.utilisation(25, 1, 5, 10) == 0.5 and rules.utilisation(1, 0, 5, 10) is None


def test_savings_are_meetings_times_the_price_difference() -> None:
    lines = rules.savings({"large": 3}, {"large": Decimal(20000), "small": Decimal(1500)}, {"large": Decimal(4000)})
    assert [(s.size_class, s.meetings, s.saving) for s in lines] == [("large", 3, 48000), ("small", 0, 0)]


def test_meeting_score_weighs_feedback_and_record() -> None:
    assert rules.meeting_score(80, 1, issue_penalty=10, feedback_share=0.7) == 0.7 * 80 + 0.3 * 90
    assert rules.meeting_score(None, 2, issue_penalty=10, feedback_share=0.7) == 80
    assert rules.meeting_score(60, None, issue_penalty=10, feedback_share=0.7) == 60
    assert rules.meeting_score(None, None, issue_penalty=10, feedback_share=0.7) is None
    assert rules.conference_score([None, 80, 100]) == 90 and rules.conference_score([None]) is None
