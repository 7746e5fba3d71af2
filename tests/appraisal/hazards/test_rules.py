"""Pure rules of the hazard register: the lifecycle, who may step, deadlines, lateness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appraisal.hazards import rules
from appraisal.hazards.rules import Actor, HazardAction, HazardSeverity, HazardStatus

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)


def test_the_lifecycle_in_order_and_reopen() -> None:
    s = HazardStatus.found
    for action, expected in (
        (HazardAction.assign, HazardStatus.assigned),
        (HazardAction.start, HazardStatus.rectifying),
        (HazardAction.remove, HazardStatus.removed),
        (HazardAction.verify, HazardStatus.verified),
        (HazardAction.reopen, HazardStatus.rectifying),
    ):
        s = rules.next_status(s, action)
        assert s == expected
    with pytest.raises(rules.IllegalStep):
        rules.next_status(HazardStatus.assigned, HazardAction.verify)


def test_only_the_office_assigns_verifies_and_reopens() -> None:
    assert rules.may_take(HazardAction.remove, Actor.vendor) and rules.may_take(HazardAction.remove, Actor.office)
    for action in (HazardAction.assign, HazardAction.verify, HazardAction.reopen):
        assert rules.may_take(action, Actor.office) and not rules.may_take(action, Actor.vendor)


def test_deadlines_follow_the_severity_settings() -> None:
    response, removal = rules.deadlines(T0, HazardSeverity.critical, {"critical": 2}, {"critical": 24})
    assert (response, removal) == (T0 + timedelta(hours=2), T0 + timedelta(hours=24))


def test_late_overdue_and_score() -> None:
    due = T0 + timedelta(days=1)
    assert not rules.was_late("removed", due, due, T0 + timedelta(days=9))
    assert rules.was_late("verified", due, due + timedelta(seconds=1), T0)
    assert rules.was_late("rectifying", due, None, due + timedelta(seconds=1))
    assert not rules.was_late("rectifying", due, None, due)
    assert rules.is_overdue("assigned", due, due + timedelta(hours=1))
    assert not rules.is_overdue("removed", due, due + timedelta(hours=1))
    assert rules.hazard_score([True, False, True], 10) == 80 and rules.hazard_score([], 10) is None
    assert rules.hazard_score([True] * 20, 10) == 0
