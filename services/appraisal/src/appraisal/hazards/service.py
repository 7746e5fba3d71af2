"""Hazard register: record hazards, find the responsible vendor, move them through their lifecycle, count them."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.hazards import repository, rules
from appraisal.hazards.rules import Actor, HazardAction, HazardCategory, HazardSeverity, HazardSource, HazardStatus
from appraisal.hazards.schemas import (
    AlarmHazardIn,
    Attachment,
    HazardAlarmRead,
    HazardCount,
    HazardCreate,
    HazardRead,
    HazardStats,
    HazardTransitionIn,
)
from appraisal.models import Hazard, HazardAlarm
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.auth import Principal, Role
from houqin_common.clients import ApiError, ContractsClient
from houqin_common.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    UnprocessableEntity,
)
from houqin_common.i18n import _
from houqin_common.pagination import PageParams
from houqin_common.schemas import PERIOD_RE, period_bounds

logger = logging.getLogger("appraisal.hazards")

#: who manages hazards for the office: supervisors and the fire-control monitoring centre
OFFICE_ROLES = (Role.supervisor, Role.fire_control, Role.admin)
#: alarm events that make a fire hazard; the others (intrusion, video loss, tamper) a security one
FIRE_EVENTS = frozenset({"fire_alarm", "fault", "supervisory"})


def etag(hazard: Hazard) -> str:
    return f'"{hazard.version}"'


def check_if_match(hazard: Hazard, if_match: str | None) -> None:
    """428 without If-Match, 412 when it names another version than the current one (like contracts)."""
    if not if_match:
        raise PreconditionRequired(_("send If-Match with the hazard's ETag (read it with GET first)"))
    wanted = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in wanted and etag(hazard) not in wanted:
        raise PreconditionFailed(
            _(
                "the hazard changed: current ETag is {etag}, If-Match was {if_match}",
                etag=etag(hazard),
                if_match=if_match,
            ),
            current_etag=etag(hazard),
        )


def to_read(hazard: Hazard, now: datetime, alarms: list[HazardAlarm] | None = None) -> HazardRead:
    category, severity = HazardCategory(hazard.category), HazardSeverity(hazard.severity)
    source, status = HazardSource(hazard.source), HazardStatus(hazard.status)
    return HazardRead(
        id=hazard.id,
        category=category,
        category_zh=category.label_zh,
        severity=severity,
        severity_zh=severity.label_zh,
        source=source,
        source_zh=source.label_zh,
        description=hazard.description,
        building=hazard.building,
        floor=hazard.floor,
        room=hazard.room,
        vendor_id=hazard.vendor_id,
        project_code=hazard.project_code,
        contract_id=hazard.contract_id,
        status=status,
        status_zh=status.label_zh,
        found_at=hazard.found_at,
        response_due_at=hazard.response_due_at,
        removal_due_at=hazard.removal_due_at,
        assigned_at=hazard.assigned_at,
        rectifying_at=hazard.rectifying_at,
        removed_at=hazard.removed_at,
        verified_at=hazard.verified_at,
        overdue=rules.is_overdue(hazard.status, hazard.removal_due_at, now),
        late=rules.was_late(hazard.status, hazard.removal_due_at, hazard.removed_at, now),
        attachments=hazard.attachments,
        alarms=[HazardAlarmRead.model_validate(a) for a in alarms or []],
        history=hazard.history,
        version=hazard.version,
    )


async def reads(session: AsyncSession, hazards: list[Hazard], now: datetime) -> list[HazardRead]:
    """The hazards as read, each with its alarms (one query)."""
    alarms = await repository.alarms_of(session, [h.id for h in hazards])
    return [to_read(h, now, alarms.get(h.id, [])) for h in hazards]


def location(hazard: Hazard) -> str:
    """``3号楼 5层 东侧通道``: how a person names where the hazard is."""
    parts = [hazard.building]
    if hazard.floor:
        parts.append(_("floor {floor}", floor=hazard.floor))
    if hazard.room:
        parts.append(hazard.room)
    return " ".join(parts)


async def responsible_vendor(
    contracts: ContractsClient | None, settings: Settings, category: HazardCategory, day: date
) -> tuple[str, str, str] | None:
    """(vendor, project, contract) of the contract in force on ``day`` for the category's projects, asked of
    contracts-api; None when no such contract (or contracts-api cannot be read: the office then names the vendor)."""
    if contracts is None:
        return None
    for project in settings.hazard_category_projects.get(category.value, []):
        try:
            page = await contracts.list_contracts(project_code=project, year=day.year, limit=100)
        except ApiError as exc:
            logger.warning("contracts of %s unavailable for a hazard: %s", project, exc)
            return None
        for c in page.items:
            in_force = (c.start_date is None or c.start_date <= day) and (c.end_date is None or day <= c.end_date)
            if c.status in settings.hazard_contract_statuses and in_force:
                return c.vendor_id, project, c.id
    return None


def _entry(by: str, action: str, old: str | None, new: str, note: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"at": clock.now().isoformat(), "by": by, "action": action, "from": old, "to": new, "note": note, **extra}


async def record(
    session: AsyncSession,
    *,
    hazard_in: HazardCreate,
    reporter: str,
    settings: Settings,
    contracts: ContractsClient | None,
    panel: tuple[str, str] | None = None,
) -> Hazard:
    """Record a hazard, responsible vendor from the contract covering its category's project, else the one named;
    with a vendor it is assigned at once (status `assigned`), the deadlines run from discovery."""
    found_at = hazard_in.found_at or clock.now()
    if found_at.tzinfo is None:
        raise UnprocessableEntity(_("found_at needs a time zone"))
    if found_at > clock.now():
        raise UnprocessableEntity(_("found_at is in the future"))
    resolved = await responsible_vendor(contracts, settings, hazard_in.category, found_at.date())
    project = contract_id = None
    if resolved is not None:
        vendor_id, project, contract_id = resolved
    elif hazard_in.vendor_id:
        vendor_id = hazard_in.vendor_id
    else:
        raise UnprocessableEntity(
            _(
                "no contract in force names the vendor responsible for {category} hazards: give vendor_id",
                category=hazard_in.category.label_zh,
            )
        )
    response_due, removal_due = rules.deadlines(
        found_at, hazard_in.severity, settings.hazard_response_hours, settings.hazard_removal_hours
    )
    now = clock.now()
    hazard = Hazard(
        category=hazard_in.category.value,
        severity=hazard_in.severity.value,
        source=hazard_in.source.value,
        description=hazard_in.description,
        building=hazard_in.building,
        floor=hazard_in.floor,
        room=hazard_in.room,
        vendor_id=vendor_id,
        project_code=project,
        contract_id=contract_id,
        panel_id=panel[0] if panel else None,
        zone=panel[1] if panel else None,
        status=HazardStatus.assigned.value,
        found_at=found_at,
        assigned_at=now,
        response_due_at=response_due,
        removal_due_at=removal_due,
        reported_by=reporter,
        attachments=[a.model_dump(mode="json") for a in hazard_in.attachments],
        history=[
            _entry(reporter, "record", None, HazardStatus.found.value),
            _entry(
                reporter,
                "assign",
                HazardStatus.found.value,
                HazardStatus.assigned.value,
                vendor_id=vendor_id,
                basis="contract" if contract_id else "named",
            ),
        ],
        version=1,
        updated_at=now,
    )
    session.add(hazard)
    await session.flush()
    return hazard


async def get_visible(session: AsyncSession, *, hazard_id: str, principal: Principal, lock: bool = False) -> Hazard:
    """The hazard; a vendor sees its own only (404 otherwise)."""
    hazard = await repository.get(session, hazard_id, lock=lock)
    if hazard is None or (principal.is_vendor_only and hazard.vendor_id != principal.vendor_id):
        raise NotFound(_("hazard {hazard_id} not found", hazard_id=hazard_id))
    return hazard


def _actor(principal: Principal, hazard: Hazard) -> Actor | None:
    if principal.has(*OFFICE_ROLES) and not principal.is_vendor_only:
        return Actor.office
    if principal.has(Role.vendor) and principal.vendor_id == hazard.vendor_id:
        return Actor.vendor
    return None


def apply_step(
    hazard: Hazard,
    *,
    action: HazardAction,
    actor: Actor,
    by: str,
    note: str | None,
    at: datetime,
    vendor_id: str | None = None,
    attachments: list[Attachment] | None = None,
) -> None:
    """One step of the lifecycle on a loaded hazard; 403 when the actor may not take it, 409 when illegal."""
    if not rules.may_take(action, actor):
        raise Forbidden(_("your roles may not {action} a hazard", action=action.value))
    try:
        new = rules.next_status(HazardStatus(hazard.status), action)
    except rules.IllegalStep as exc:
        raise Conflict(str(exc)) from exc
    extra: dict[str, Any] = {}
    if action == HazardAction.assign and vendor_id:
        hazard.vendor_id, hazard.contract_id, hazard.project_code = vendor_id, None, None
        extra["vendor_id"] = vendor_id
    if attachments:
        hazard.attachments = [*hazard.attachments, *(a.model_dump(mode="json") for a in attachments)]
    hazard.history = [*hazard.history, _entry(by, action.value, hazard.status, new.value, note, **extra)]
    hazard.status = new.value
    stamp = rules.STAMP.get(new)
    if stamp is not None:
        setattr(hazard, stamp, at)
    if action == HazardAction.reopen:
        hazard.removed_at = hazard.verified_at = None
    hazard.version += 1
    hazard.updated_at = at


async def transition(
    session: AsyncSession, *, hazard_id: str, step_in: HazardTransitionIn, if_match: str | None, principal: Principal
) -> Hazard:
    hazard = await get_visible(session, hazard_id=hazard_id, principal=principal, lock=True)
    actor = _actor(principal, hazard)
    if actor is None:
        raise Forbidden(_("your roles may not {action} a hazard", action=step_in.action.value))
    check_if_match(hazard, if_match)
    apply_step(
        hazard,
        action=step_in.action,
        actor=actor,
        by=principal.subject,
        note=step_in.note,
        at=clock.now(),
        vendor_id=step_in.vendor_id,
        attachments=step_in.attachments,
    )
    await session.flush()
    return hazard


async def add_attachment(
    session: AsyncSession, *, hazard_id: str, attachment: Attachment, if_match: str | None, principal: Principal
) -> Hazard:
    hazard = await get_visible(session, hazard_id=hazard_id, principal=principal, lock=True)
    if _actor(principal, hazard) is None:
        raise Forbidden(_("your roles may not add documents to a hazard"))
    check_if_match(hazard, if_match)
    hazard.attachments = [*hazard.attachments, attachment.model_dump(mode="json")]
    hazard.history = [
        *hazard.history,
        _entry(
            principal.subject,
            "attach",
            hazard.status,
            hazard.status,
            attachment.note,
            document_id=attachment.document_id,
        ),
    ]
    hazard.version += 1
    hazard.updated_at = clock.now()
    await session.flush()
    return hazard


async def from_alarm(
    session: AsyncSession,
    *,
    alarm_in: AlarmHazardIn,
    reporter: str,
    settings: Settings,
    contracts: ContractsClient | None,
) -> tuple[Hazard, bool]:
    """Open a hazard for an alarm not cleared in time, or join the open hazard of its zone; idempotent by
    alarm id. Returns the hazard and whether this call created it."""
    known = await repository.get_alarm(session, alarm_in.alarm_id)
    if known is not None:
        hazard = await repository.get(session, known.hazard_id)
        assert hazard is not None
        return hazard, False
    hazard = await repository.open_for_zone(session, alarm_in.panel_id, alarm_in.zone)
    created = hazard is None
    if hazard is None:
        fire = alarm_in.event_type in FIRE_EVENTS
        severity = HazardSeverity.critical if alarm_in.event_type == "fire_alarm" else HazardSeverity.general
        zone_label = alarm_in.description or alarm_in.zone
        hazard = await record(
            session,
            hazard_in=HazardCreate(
                category=HazardCategory.fire if fire else HazardCategory.security,
                severity=severity,
                source=HazardSource.alarm,
                description=_(
                    "{event} at {zone} (panel {panel}) not cleared in time",
                    event=alarm_in.event_type,
                    zone=zone_label,
                    panel=alarm_in.panel_id,
                ),
                building=alarm_in.building,
                floor=alarm_in.floor,
                room=alarm_in.room,
                found_at=min(alarm_in.occurred_at, clock.now()),
                vendor_id=alarm_in.vendor_id,
            ),
            reporter=reporter,
            settings=settings,
            contracts=contracts,
            panel=(alarm_in.panel_id, alarm_in.zone),
        )
    else:
        hazard.history = [
            *hazard.history,
            _entry(reporter, "alarm", hazard.status, hazard.status, alarm_id=alarm_in.alarm_id),
        ]
        if hazard.status == HazardStatus.removed:
            # the zone alarmed again after the vendor reported it removed: the removal did not hold
            apply_step(
                hazard,
                action=HazardAction.reopen,
                actor=Actor.office,
                by=reporter,
                note=alarm_in.alarm_id,
                at=clock.now(),
            )
        else:
            hazard.version += 1
    alarm = HazardAlarm(
        alarm_id=alarm_in.alarm_id,
        hazard_id=hazard.id,
        panel_id=alarm_in.panel_id,
        zone=alarm_in.zone,
        event_type=alarm_in.event_type,
        occurred_at=alarm_in.occurred_at,
    )
    try:
        async with session.begin_nested():
            session.add(alarm)
    except IntegrityError as exc:
        # the same alarm recorded by a concurrent call: that call's hazard is the answer
        raise Conflict(
            _("alarm {alarm_id} is being recorded by another request; retry", alarm_id=alarm_in.alarm_id)
        ) from exc
    await session.flush()
    return hazard, created


async def alarm_cleared(session: AsyncSession, *, alarm_id: str, cleared_at: datetime, by: str) -> Hazard:
    """Record the restore of an alarm on its hazard (idempotent: the first restore time is kept)."""
    alarm = await repository.get_alarm(session, alarm_id)
    if alarm is None:
        raise NotFound(_("alarm {alarm_id} is recorded on no hazard", alarm_id=alarm_id))
    hazard = await repository.get(session, alarm.hazard_id, lock=True)
    assert hazard is not None
    if alarm.cleared_at is None:
        alarm.cleared_at = cleared_at
        hazard.history = [
            *hazard.history,
            _entry(
                by, "alarm_cleared", hazard.status, hazard.status, alarm_id=alarm_id, cleared_at=cleared_at.isoformat()
            ),
        ]
        hazard.version += 1
        await session.flush()
    return hazard


async def list_hazards(
    session: AsyncSession,
    page: PageParams,
    *,
    vendor_id: str | None,
    status: str | None,
    category: str | None,
    overdue_at: datetime | None,
) -> tuple[list[Hazard], int]:
    """Sort by `found_at` (default), `removal_due_at`, `status`."""
    order, desc = page.order({"found_at", "removal_due_at", "status"}, "found_at")
    return await repository.list_hazards(
        session,
        vendor_id=vendor_id,
        status=status,
        category=category,
        overdue_at=overdue_at,
        limit=page.limit,
        offset=page.offset,
        order=order,
        desc=desc,
    )


def _bounds(period: str) -> tuple[datetime, datetime]:
    if not PERIOD_RE.match(period):
        raise UnprocessableEntity(_("invalid period {period}", period=repr(period)))
    start, end = period_bounds(period)
    tz = clock.office_tz()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.min, tzinfo=tz)


async def stats(session: AsyncSession, *, period: str, vendor_id: str | None = None) -> HazardStats:
    """Hazards found in ``period`` by category and current status (one function for JSON, XLSX and chart)."""
    start, end = _bounds(period)
    hazards = [
        h for h in await repository.found_in(session, start, end) if vendor_id is None or h.vendor_id == vendor_id
    ]
    now = clock.now()
    counter = Counter((h.category, h.status) for h in hazards)
    counts = [
        HazardCount(
            category=c, category_zh=c.label_zh, status=s, status_zh=s.label_zh, count=counter[(c.value, s.value)]
        )
        for c in HazardCategory
        for s in HazardStatus
        if counter[(c.value, s.value)]
    ]
    return HazardStats(
        period=period,
        title=_("Safety hazards (隐患台账) found in {period}", period=period),
        found=len(hazards),
        removed=sum(1 for h in hazards if h.status in (HazardStatus.removed, HazardStatus.verified)),
        verified=sum(1 for h in hazards if h.status == HazardStatus.verified),
        late=sum(1 for h in hazards if rules.was_late(h.status, h.removal_due_at, h.removed_at, now)),
        counts=counts,
    )


async def overdue_lines(database_url: str) -> list[str]:
    """One line per hazard open past its removal deadline, each also logged as a warning (the overdue alert of
    `houqin appraisal hazards-overdue`; `GET /v1/hazards/overdue` lists the same hazards)."""
    from houqin_common.db import create_engine, make_sessionmaker

    engine = create_engine(database_url, pool_size=1)
    now = clock.now()
    try:
        async with make_sessionmaker(engine)() as session:
            hazards, _total = await repository.list_hazards(
                session, overdue_at=now, limit=10_000, order="removal_due_at"
            )
    finally:
        await engine.dispose()
    lines = []
    for h in hazards:
        line = _(
            "overdue: {place}: {description} ({category}, {severity}), vendor {vendor_id}, due {due}",
            place=location(h),
            description=h.description[:60],
            category=HazardCategory(h.category).label_zh,
            severity=HazardSeverity(h.severity).label_zh,
            vendor_id=h.vendor_id,
            due=h.removal_due_at.astimezone(clock.office_tz()).isoformat(timespec="minutes"),
        )
        logger.warning("hazard overdue", extra={"hazard_id": h.id, "vendor_id": h.vendor_id})
        lines.append(line)
    return lines
