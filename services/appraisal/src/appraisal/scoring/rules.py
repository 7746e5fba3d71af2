"""Pure scoring and award rules: no I/O, unit-tested, shared by the API, the CLI and the reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from appraisal.messages import Message, message
from houqin_common.i18n import N_, Text, _


class Grade(StrEnum):
    excellent = "excellent"
    good = "good"
    fair = "fair"
    poor = "poor"
    not_applicable = "n/a"

    @property
    def label_zh(self) -> str:
        return {"excellent": "优", "good": "较好", "fair": "一般", "poor": "差", "n/a": "不适用"}[self.value]

    @property
    def label(self) -> str:
        """The grade's label in the reader's language (优 … in zh-CN, "excellent" … in English)."""
        return _(GRADE_LABELS[self.value])


GRADE_LABELS = {
    "excellent": N_("excellent"),
    "good": N_("good"),
    "fair": N_("fair"),
    "poor": N_("poor"),
    "n/a": N_("not applicable"),
}


def grade_score(grades: Iterable[str], points: Mapping[str, float]) -> float | None:
    """Mean points of the graded answers (0-100); `n/a` is left out; None when nothing was graded."""
    values = [points[g] for g in grades if g != Grade.not_applicable]
    if not values:
        return None
    return round(sum(values) / len(values), 2)


def grade_distribution(grades: Iterable[str]) -> dict[str, int]:
    out = {g.value: 0 for g in Grade}
    for g in grades:
        out[g] = out.get(g, 0) + 1
    return out


def response_rate(answered: int, invited: int) -> float | None:
    return round(answered / invited, 4) if invited else None


def checklist_score(max_points: Mapping[str, float], awarded: Mapping[str, float]) -> float:
    """Routine inspection score 0-100: points awarded over the checklist's maximum."""
    total = sum(max_points.values())
    if total <= 0:
        raise ValueError(_("a checklist needs positive maximum points"))
    for code, pts in awarded.items():
        if code not in max_points:
            raise ValueError(_("item {code} is not on the checklist", code=repr(code)))
        if pts < 0 or pts > max_points[code]:
            raise ValueError(
                _("item {code}: {points} outside 0..{maximum}", code=repr(code), points=pts, maximum=max_points[code])
            )
    return round(100 * sum(awarded.get(c, 0.0) for c in max_points) / total, 2)


SEVERITY_ORDER = ("minor", "major", "critical")


def food_safety_score(severities: Sequence[str], penalties: Mapping[str, float]) -> float:
    """100 minus the configured penalty per violation, floored at 0."""
    return max(0.0, round(100 - sum(penalties.get(s, 0.0) for s in severities), 2))


def worst_severity(severities: Sequence[str]) -> str | None:
    ranked = [s for s in SEVERITY_ORDER if s in severities]
    return ranked[-1] if ranked else None


class OrderStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    submitted = "submitted"
    verified = "verified"
    rejected = "rejected"

    @property
    def label_zh(self) -> str:
        return {
            "open": "待整改",
            "in_progress": "整改中",
            "submitted": "已提交",
            "verified": "已验收",
            "rejected": "已退回",
        }[self.value]


class OrderAction(StrEnum):
    start = "start"
    submit = "submit"
    verify = "verify"
    reject = "reject"


#: (from, action) -> to. `rejected` goes back to work with `start`.
TRANSITIONS: dict[tuple[OrderStatus, OrderAction], OrderStatus] = {
    (OrderStatus.open, OrderAction.start): OrderStatus.in_progress,
    (OrderStatus.rejected, OrderAction.start): OrderStatus.in_progress,
    (OrderStatus.in_progress, OrderAction.submit): OrderStatus.submitted,
    (OrderStatus.submitted, OrderAction.verify): OrderStatus.verified,
    (OrderStatus.submitted, OrderAction.reject): OrderStatus.rejected,
}

VENDOR_ACTIONS = frozenset({OrderAction.start, OrderAction.submit})


class IllegalTransition(ValueError):
    pass


def next_status(status: OrderStatus, action: OrderAction) -> OrderStatus:
    """The state machine open -> in_progress -> submitted -> verified | rejected -> in_progress."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(
            _("cannot {action} an order that is {status}", action=action.value, status=status.value)
        ) from None


def is_overdue(status: str, deadline: date, today: date, submitted_on: date | None = None) -> bool:
    """Past its deadline and not verified; a submission made in time is not overdue while awaiting review."""
    if status == OrderStatus.verified or today <= deadline:
        return False
    return not (status == OrderStatus.submitted and submitted_on is not None and submitted_on <= deadline)


def was_late(status: str, deadline: date, today: date, submitted_on: date | None, verified_on: date | None) -> bool:
    """Counts against the vendor: overdue now, or verified from a submission after the deadline."""
    if status == OrderStatus.verified:
        return submitted_on is not None and submitted_on > deadline
    return is_overdue(status, deadline, today, submitted_on)


def rectification_score(late_flags: Sequence[bool], penalty: float) -> float | None:
    """100 minus ``penalty`` per late order; None when the vendor had no order in the period."""
    if not late_flags:
        return None
    return max(0.0, 100 - penalty * sum(late_flags))


def complaint_score(
    complaints: Sequence[tuple[bool, float | None]], penalty: float, late_penalty: float, target_hours: float
) -> float:
    """100 minus penalties. ``complaints``: (counts against the vendor, hours to first response or None)."""
    points = 100.0
    for counts, hours in complaints:
        if counts:
            points -= penalty
        if hours is None or hours > target_hours:
            points -= late_penalty
    return max(0.0, round(points, 2))


def hours_between(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 3600, 2)


def energy_score(
    saving_ratio: float | None,
    waste_alerts: int,
    target: float,
    alert_penalty: float,
    penalty_cap: float | None = None,
) -> float | None:
    """100 at the target saving year on year, linearly down to 50 at no saving, 0 at -target; minus the
    waste-alert penalty, at most ``penalty_cap`` points in the period."""
    if saving_ratio is None:
        return None
    base = 50 + 50 * (saving_ratio / target) if target > 0 else 100.0
    penalty = alert_penalty * waste_alerts
    if penalty_cap is not None:
        penalty = min(penalty, penalty_cap)
    return round(max(0.0, min(100.0, base) - penalty), 2)


def vehicle_score(compliance_ratios: Sequence[tuple[float | None, int]]) -> float | None:
    """Trip-weighted compliance share of the vendor's vehicles, as 0-100."""
    weighted = [(r, t) for r, t in compliance_ratios if r is not None and t > 0]
    trips = sum(t for _, t in weighted)
    if not trips:
        return None
    return round(100 * sum(r * t for r, t in weighted) / trips, 2)


@dataclass
class Component:
    """A component's outcome: a score, not applicable (score None, available) or unavailable."""

    name: str
    score: float | None
    available: bool = True
    #: a :class:`Text` is kept as its msgid (a published snapshot renders it in the reader's language)
    note: str | Text | None = None


@dataclass
class Combined:
    total: float | None
    complete: bool
    missing: list[str]
    weights: dict[str, float] = field(default_factory=dict)


def combine(components: Sequence[Component], weights: Mapping[str, float]) -> Combined:
    """Weighted total over the components that have a score, renormalising the weights.

    A component with no data (score None, available) is not applicable and drops out. An
    unavailable one drops out too but makes the total provisional (``complete=False``): it is never
    counted as zero.
    """
    missing = [c.name for c in components if not c.available and weights.get(c.name, 0) > 0]
    scored = [c for c in components if c.score is not None and c.available and weights.get(c.name, 0) > 0]
    wsum = sum(weights[c.name] for c in scored)
    used = {c.name: weights[c.name] for c in scored}
    if wsum <= 0:
        return Combined(total=None, complete=not missing, missing=missing, weights=used)
    total = sum(weights[c.name] * (c.score or 0.0) for c in scored) / wsum
    return Combined(total=round(total, 2), complete=not missing, missing=missing, weights=used)


def rank_totals(totals: Mapping[str, float | None]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of the vendors that have a total, best first."""
    ordered = sorted(((t, v) for v, t in totals.items() if t is not None), key=lambda x: (-x[0], x[1]))
    ranks: dict[str, int] = {}
    prev: float | None = None
    for i, (t, v) in enumerate(ordered, start=1):
        ranks[v] = ranks[ordered[i - 2][1]] if prev is not None and t == prev else i
        prev = t
    return ranks


class AwardKind(StrEnum):
    advanced_unit = "advanced_unit"
    excellent_unit = "excellent_unit"

    @property
    def label_zh(self) -> str:
        return {"advanced_unit": "先进单位", "excellent_unit": "优秀单位"}[self.value]


@dataclass(frozen=True)
class AwardBars:
    advanced_max_rank: int
    advanced_min_score: float
    excellent_max_rank: int
    excellent_min_score: float


@dataclass
class AwardOutcome:
    award: AwardKind | None
    provisional: bool
    reasons: list[Message]


def decide_award(
    *,
    rank: int | None,
    total: float | None,
    complete: bool,
    eligible: bool | None,
    major_violation: bool,
    bars: AwardBars,
) -> AwardOutcome:
    """Advanced unit, else excellent unit, else none; ``eligible`` None means the veto check was unreachable."""
    reasons: list[Message] = []
    if rank is None or total is None:
        return AwardOutcome(None, False, [message(N_("no score for the year"))])
    if eligible is False:
        return AwardOutcome(None, False, [message(N_("excluded by a one-vote veto"))])
    if major_violation:
        return AwardOutcome(None, False, [message(N_("major food-safety violation in the year"))])
    award: AwardKind | None = None
    if rank <= bars.advanced_max_rank and total >= bars.advanced_min_score:
        award = AwardKind.advanced_unit
    elif rank <= bars.excellent_max_rank and total >= bars.excellent_min_score:
        award = AwardKind.excellent_unit
    else:
        reasons.append(message(N_("rank {rank} / total {total} below the award bars"), rank=rank, total=total))
    provisional = False
    if award is not None:
        reasons.append(message(N_("rank {rank}, total {total}"), rank=rank, total=total))
        if eligible is None:
            provisional = True
            reasons.append(message(N_("veto check unavailable (contracts-api unreachable): provisional")))
        if not complete:
            provisional = True
            reasons.append(message(N_("score incomplete: provisional")))
    return AwardOutcome(award, provisional, reasons)


def bonus_uplift(head_count: int, base_bonus: Decimal, rate: Decimal) -> Decimal:
    """Extra bonus for an awarded vendor: every employee's base bonus times the uplift rate."""
    if head_count < 0:
        raise ValueError(_("head count cannot be negative"))
    return (Decimal(head_count) * base_bonus * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
