"""Pure scoring and award rules, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from appraisal.scoring import rules
from appraisal.scoring.rules import AwardBars, AwardKind, Component, OrderAction, OrderStatus
from appraisal.settings import Settings

POINTS = Settings().grade_points


def test_grade_points_are_averaged_and_na_left_out() -> None:
    assert rules.grade_score(["excellent", "good", "fair", "poor"], POINTS) == 60.0
    assert rules.grade_score(["excellent", "n/a", "n/a"], POINTS) == 100.0
    assert rules.grade_score(["n/a"], POINTS) is None
    custom = {"excellent": 95.0, "good": 85.0, "fair": 70.0, "poor": 40.0}
    assert rules.grade_score(["good", "poor"], custom) == 62.5


def test_grade_labels_are_the_chinese_ones() -> None:
    assert [g.label_zh for g in rules.Grade][:4] == ["优", "较好", "一般", "差"]


def test_response_rate() -> None:
    assert rules.response_rate(19, 20) == 0.95
    assert rules.response_rate(0, 0) is None


def test_checklist_score_refuses_points_above_max() -> None:
    assert rules.checklist_score({"a": 10, "b": 30}, {"a": 10, "b": 15}) == 62.5
    with pytest.raises(ValueError):
        rules.checklist_score({"a": 10}, {"a": 11})
    with pytest.raises(ValueError):
        rules.checklist_score({"a": 10}, {"zz": 1})


def test_food_safety_penalties_and_worst() -> None:
    pen = {"minor": 5.0, "major": 20.0, "critical": 40.0}
    assert rules.food_safety_score(["minor", "major"], pen) == 75.0
    assert rules.food_safety_score(["critical"] * 3, pen) == 0.0
    assert rules.worst_severity(["minor", "major"]) == "major" and rules.worst_severity([]) is None


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (OrderStatus.open, OrderAction.start, OrderStatus.in_progress),
        (OrderStatus.in_progress, OrderAction.submit, OrderStatus.submitted),
        (OrderStatus.submitted, OrderAction.verify, OrderStatus.verified),
        (OrderStatus.submitted, OrderAction.reject, OrderStatus.rejected),
        (OrderStatus.rejected, OrderAction.start, OrderStatus.in_progress),
    ],
)
def test_legal_transitions(status: OrderStatus, action: OrderAction, expected: OrderStatus) -> None:
    assert rules.next_status(status, action) == expected


def test_every_other_transition_is_illegal() -> None:
    legal = set(rules.TRANSITIONS)
    for status in OrderStatus:
        for action in OrderAction:
            if (status, action) not in legal:
                with pytest.raises(rules.IllegalTransition):
                    rules.next_status(status, action)


def test_overdue_detection() -> None:
    deadline = date(2026, 3, 31)
    assert not rules.is_overdue("open", deadline, date(2026, 3, 31))
    assert rules.is_overdue("open", deadline, date(2026, 4, 1))
    assert rules.is_overdue("rejected", deadline, date(2026, 4, 1), submitted_on=date(2026, 3, 30))
    assert not rules.is_overdue("submitted", deadline, date(2026, 4, 9), submitted_on=date(2026, 3, 30))
    assert rules.is_overdue("submitted", deadline, date(2026, 4, 9), submitted_on=date(2026, 4, 2))
    assert not rules.is_overdue("verified", deadline, date(2027, 1, 1))
    assert rules.was_late("verified", deadline, date(2027, 1, 1), date(2026, 4, 2), date(2026, 4, 3))
    assert rules.rectification_score([True, False, True], 10) == 80
    assert rules.rectification_score([], 10) is None


def test_complaint_score() -> None:
    # one founded complaint answered in time, one unfounded answered late, one never answered
    assert rules.complaint_score([(True, 3.0), (False, 30.0), (False, None)], 5, 2, 24) == 91.0


def test_energy_and_vehicle_scores() -> None:
    assert rules.energy_score(0.12, 0, 0.12, 2) == 100.0
    assert rules.energy_score(0.0, 0, 0.12, 2) == 50.0
    assert rules.energy_score(0.06, 3, 0.12, 2) == 69.0
    assert rules.energy_score(None, 0, 0.12, 2) is None
    # the waste penalty is bounded per period: 40 alerts cost 20 points, not 80, so the saving still counts
    assert rules.energy_score(0.12, 40, 0.12, 2) == 20.0
    assert rules.energy_score(0.12, 40, 0.12, 2, penalty_cap=20) == 80.0
    assert rules.energy_score(0.12, 3, 0.12, 2, penalty_cap=20) == 94.0
    assert rules.vehicle_score([(0.9, 100), (1.0, 100)]) == 95.0
    assert rules.vehicle_score([(None, 0)]) is None


def test_combine_renormalises_and_marks_missing_sources() -> None:
    weights = {"satisfaction": 0.5, "routine": 0.3, "energy": 0.2}
    full = rules.combine([Component("satisfaction", 80), Component("routine", 90), Component("energy", 100)], weights)
    assert full.total == 87.0 and full.complete
    down = rules.combine(
        [Component("satisfaction", 80), Component("routine", 90), Component("energy", None, available=False)],
        weights,
    )
    # the unavailable source is not a zero: (0.5*80 + 0.3*90) / 0.8
    assert down.total == 83.75 and not down.complete and down.missing == ["energy"]
    na = rules.combine([Component("satisfaction", 80), Component("energy", None)], weights)
    assert na.total == 80.0 and na.complete


def test_competition_ranking() -> None:
    assert rules.rank_totals({"a": 90, "b": 95, "c": 90, "d": None, "e": 80}) == {"b": 1, "a": 2, "c": 2, "e": 4}


BARS = AwardBars(advanced_max_rank=3, advanced_min_score=90, excellent_max_rank=8, excellent_min_score=85)


def test_award_rules() -> None:
    def decide(**kw: object) -> rules.AwardOutcome:
        args: dict[str, object] = {
            "rank": 1,
            "total": 95.0,
            "complete": True,
            "eligible": True,
            "major_violation": False,
            "bars": BARS,
        }
        args.update(kw)
        return rules.decide_award(**args)  # type: ignore[arg-type]

    assert decide().award == AwardKind.advanced_unit and not decide().provisional
    assert decide(rank=4).award == AwardKind.excellent_unit
    assert decide(rank=2, total=88.0).award == AwardKind.excellent_unit
    assert decide(rank=9, total=99.0).award is None
    assert decide(eligible=False).award is None
    assert decide(major_violation=True).award is None
    unsure = decide(eligible=None)
    assert unsure.award == AwardKind.advanced_unit and unsure.provisional
    assert decide(complete=False).provisional


def test_bonus_uplift() -> None:
    assert rules.bonus_uplift(86, Decimal("12000"), Decimal("0.10")) == Decimal("103200.00")
    assert rules.bonus_uplift(3, Decimal("10000.55"), Decimal("0.10")) == Decimal("3000.17")
    with pytest.raises(ValueError):
        rules.bonus_uplift(-1, Decimal(1), Decimal("0.1"))
