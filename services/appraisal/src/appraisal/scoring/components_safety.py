"""Issue 26's score components: hazard removal on time (security, maintenance, smart-building vendors) and the
conference centre's meetings (conference vendor). Registered in ``scoring.components``' registry; their
explanations name the hazards and meetings behind the score."""

from __future__ import annotations

from appraisal.conference import rules as conference_rules
from appraisal.hazards import rules as hazard_rules
from appraisal.models import Booking, Hazard
from appraisal.scoring import rules
from appraisal.scoring.components import VendorPeriod, component
from houqin_common import clock
from houqin_common.i18n import N_, Text

#: how many hazards or meetings an explanation names (the worst first)
NAMED = 5


def _joined(parts: list[Text], sep: str) -> Text:
    """``parts`` joined by ``sep`` (language-neutral: each part renders in the reader's language)."""
    return Text(sep.join(f"{{p{i}}}" for i in range(len(parts))), {f"p{i}": p for i, p in enumerate(parts)}, False)


def _hazard_label(h: Hazard) -> Text:
    floor = Text(N_("floor {floor}"), {"floor": h.floor}) if h.floor else None
    place = [p for p in (h.building and Text.verbatim(h.building), floor, h.room and Text.verbatim(h.room)) if p]
    due = h.removal_due_at.astimezone(clock.office_tz())
    return Text(
        N_("{place}: {description} ({category}, {severity}, due {due})"),
        {
            "place": _joined(place, " "),
            "description": h.description[:40],
            "category": hazard_rules.HazardCategory(h.category).label_zh,
            "severity": hazard_rules.HazardSeverity(h.severity).label_zh,
            "due": f"{due:%Y-%m-%d %H:%M}",
        },
    )


@component("hazards", projects_setting="hazard_projects")
async def hazards(v: VendorPeriod) -> rules.Component:
    """100 less a penalty per hazard removed after its deadline or still open past it; hazards still open
    before their deadline are pending and do not count yet."""
    due: list[Hazard] = v.data.hazards.get(v.vendor_id, [])  # type: ignore[assignment]
    now = clock.now()
    late = [h for h in due if hazard_rules.was_late(h.status, h.removal_due_at, h.removed_at, now)]
    on_time = [h for h in due if h not in late and h.removed_at is not None]
    pending = len(due) - len(late) - len(on_time)
    score = hazard_rules.hazard_score([True] * len(late) + [False] * len(on_time), v.settings.hazard_late_penalty)
    if not due:
        return rules.Component("hazards", None, note=Text(N_("no hazards due for removal")))
    parts = [
        Text(
            N_("{count} hazards due for removal: {on_time} removed on time, {late} late or overdue, {pending} pending"),
            {"count": len(due), "on_time": len(on_time), "late": len(late), "pending": pending},
        )
    ]
    if late:
        parts.append(Text(N_("; late: {hazards}"), {"hazards": [_hazard_label(h) for h in late[:NAMED]]}))
    if on_time:
        parts.append(Text(N_("; on time: {hazards}"), {"hazards": [_hazard_label(h) for h in on_time[:NAMED]]}))
    return rules.Component("hazards", score, note=_joined(parts, ""))


def _meeting_label(b: Booking) -> Text:
    start = b.starts_at.astimezone(clock.office_tz())
    grade = Text.verbatim(rules.Grade(b.feedback_grade).label_zh) if b.feedback_grade else Text(N_("no feedback"))
    issues = len((b.service_record or {}).get("issues", []))
    return Text(
        N_("“{title}” {day} ({grade}, {issues} service issues)"),
        {"title": b.title[:40], "day": f"{start:%Y-%m-%d}", "grade": grade, "issues": issues},
    )


@component("conference", projects_setting="conference_projects")
async def conference(v: VendorPeriod) -> rules.Component:
    """Mean over the meetings held of the organiser's grade and the service record (``meeting_score``)."""
    held: list[Booking] = v.data.meetings.get(v.vendor_id, [])  # type: ignore[assignment]
    settings = v.settings
    scored: list[tuple[float | None, Booking]] = []
    for b in held:
        points = settings.grade_points.get(b.feedback_grade) if b.feedback_grade else None
        issues = len(b.service_record.get("issues", [])) if b.service_record is not None else None
        scored.append(
            (
                conference_rules.meeting_score(
                    points,
                    issues,
                    issue_penalty=settings.conference_issue_penalty,
                    feedback_share=settings.conference_feedback_share,
                ),
                b,
            )
        )
    score = conference_rules.conference_score(s for s, _b in scored)
    if not held:
        return rules.Component("conference", None, note=Text(N_("no meetings held")))
    graded = sum(1 for b in held if b.feedback_grade)
    recorded = sum(1 for b in held if b.service_record is not None)
    parts = [
        Text(
            N_("{count} meetings held, {graded} graded by their organisers, {recorded} with a service record"),
            {"count": len(held), "graded": graded, "recorded": recorded},
        )
    ]
    weakest = sorted(((s, b) for s, b in scored if s is not None and s < 100), key=lambda p: (p[0], p[1].starts_at))
    if weakest:
        parts.append(Text(N_("; weakest: {meetings}"), {"meetings": [_meeting_label(b) for _s, b in weakest[:NAMED]]}))
    return rules.Component("conference", score, note=_joined(parts, ""))
