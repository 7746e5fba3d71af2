"""Pure rules of the hazard register: categories, severities, the lifecycle and who may take each step,
deadlines, lateness and the counts of the yearly report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from houqin_common.i18n import _


class HazardCategory(StrEnum):
    security = "security"
    fire = "fire"
    physical = "physical"
    technical = "technical"
    other = "other"

    @property
    def label_zh(self) -> str:
        return {"security": "安防", "fire": "消防", "physical": "物防", "technical": "技防", "other": "其他"}[
            self.value
        ]


class HazardSeverity(StrEnum):
    general = "general"
    major = "major"
    critical = "critical"

    @property
    def label_zh(self) -> str:
        return {"general": "一般", "major": "较大", "critical": "重大"}[self.value]


class HazardSource(StrEnum):
    patrol = "patrol"
    inspection = "inspection"
    alarm = "alarm"
    committee = "committee"
    staff_report = "staff_report"
    public_feedback = "public_feedback"

    @property
    def label_zh(self) -> str:
        return {
            "patrol": "巡查",
            "inspection": "检查",
            "alarm": "报警",
            "committee": "管委会",
            "staff_report": "职工报告",
            "public_feedback": "群众反映",
        }[self.value]


class HazardStatus(StrEnum):
    found = "found"
    assigned = "assigned"
    rectifying = "rectifying"
    removed = "removed"
    verified = "verified"

    @property
    def label_zh(self) -> str:
        return {
            "found": "已发现",
            "assigned": "已交办",
            "rectifying": "整改中",
            "removed": "已排除",
            "verified": "已销号",
        }[self.value]


class HazardAction(StrEnum):
    assign = "assign"
    start = "start"
    remove = "remove"
    verify = "verify"
    reopen = "reopen"


class Actor(StrEnum):
    """Who may take a step: the office (supervisors, the fire-control centre) or the responsible vendor."""

    office = "office"
    vendor = "vendor"


@dataclass(frozen=True)
class Step:
    source: frozenset[HazardStatus]
    target: HazardStatus
    actors: frozenset[Actor]


S = HazardStatus
OFFICE = frozenset({Actor.office})
BOTH = frozenset({Actor.office, Actor.vendor})

STEPS: dict[HazardAction, Step] = {
    HazardAction.assign: Step(frozenset({S.found}), S.assigned, OFFICE),
    HazardAction.start: Step(frozenset({S.assigned}), S.rectifying, BOTH),
    HazardAction.remove: Step(frozenset({S.rectifying}), S.removed, BOTH),
    HazardAction.verify: Step(frozenset({S.removed}), S.verified, OFFICE),
    # a removal that does not hold (checked and refused, or the alarm came back) sends it back to the vendor
    HazardAction.reopen: Step(frozenset({S.removed, S.verified}), S.rectifying, OFFICE),
}

#: the column stamped when a step reaches its status
STAMP = {
    S.assigned: "assigned_at",
    S.rectifying: "rectifying_at",
    S.removed: "removed_at",
    S.verified: "verified_at",
}


class IllegalStep(Exception):
    pass


def next_status(current: HazardStatus, action: HazardAction) -> HazardStatus:
    step = STEPS[action]
    if current not in step.source:
        raise IllegalStep(_("a hazard {status} cannot be {action}", status=current.label_zh, action=action.value))
    return step.target


def may_take(action: HazardAction, actor: Actor) -> bool:
    return actor in STEPS[action].actors


def deadlines(
    found_at: datetime,
    severity: HazardSeverity,
    response_hours: Mapping[str, float],
    removal_hours: Mapping[str, float],
) -> tuple[datetime, datetime]:
    """When the vendor must have responded and when the hazard must be removed."""
    return (
        found_at + timedelta(hours=response_hours[severity.value]),
        found_at + timedelta(hours=removal_hours[severity.value]),
    )


def is_overdue(status: str, removal_due_at: datetime, now: datetime) -> bool:
    """Still not removed (or reopened) after its removal deadline."""
    return status not in (S.removed, S.verified) and now > removal_due_at


def was_late(status: str, removal_due_at: datetime, removed_at: datetime | None, now: datetime) -> bool:
    """Removed after its deadline, or still not removed past it."""
    if removed_at is not None and status in (S.removed, S.verified):
        return removed_at > removal_due_at
    return now > removal_due_at


def hazard_score(late: Iterable[bool], penalty: float) -> float | None:
    """100 less ``penalty`` per late hazard, floored at 0; None without hazards."""
    flags = list(late)
    if not flags:
        return None
    return max(0.0, 100.0 - penalty * sum(flags))


def half_of(when: datetime) -> str:
    return "H1" if when.month <= 6 else "H2"
