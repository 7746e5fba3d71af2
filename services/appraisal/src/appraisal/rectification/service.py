"""Findings and the rectification orders tracked until verified closed (整改)."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Evidence, Finding, RectificationOrder
from appraisal.rectification import repository
from appraisal.rectification.schemas import FindingCreate, OrderRead
from appraisal.scoring import rules
from appraisal.scoring.rules import OrderAction, OrderStatus
from houqin_common import clock
from houqin_common.auth import Principal, Role
from houqin_common.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from houqin_common.i18n import _
from houqin_common.pagination import PageParams


def to_read(order: RectificationOrder, finding: Finding, today: date) -> OrderRead:
    status = OrderStatus(order.status)
    return OrderRead(
        id=order.id,
        finding_id=order.finding_id,
        vendor_id=order.vendor_id,
        status=status,
        status_zh=status.label_zh,
        issued_on=order.issued_on,
        deadline=order.deadline,
        submitted_on=order.submitted_on,
        verified_on=order.verified_on,
        overdue=rules.is_overdue(order.status, order.deadline, today, order.submitted_on),
        description=finding.description,
        severity=finding.severity,
        source=finding.source,
        history=order.history,
        version=order.version,
    )


async def open_finding(
    session: AsyncSession, *, finding_in: FindingCreate, reporter: str, today: date
) -> tuple[RectificationOrder, Finding]:
    """Record a finding and issue its rectification order to the responsible vendor."""
    if finding_in.deadline < finding_in.found_on:
        raise UnprocessableEntity(
            _("the deadline is before the day of the finding"),
            **{"invalid-params": [{"name": "deadline", "reason": _("before found_on")}]},
        )
    if finding_in.deadline < today:
        # the order is issued today: a deadline already past would be born overdue
        raise UnprocessableEntity(
            _(
                "the deadline {deadline} is before the order's issue date {issued}",
                deadline=finding_in.deadline.isoformat(),
                issued=today.isoformat(),
            ),
            **{"invalid-params": [{"name": "deadline", "reason": _("before the issue date")}]},
        )
    finding = Finding(
        vendor_id=finding_in.vendor_id,
        source=finding_in.source.value,
        source_ref=finding_in.source_ref,
        description=finding_in.description,
        severity=finding_in.severity.value,
        found_on=finding_in.found_on,
        reported_by=reporter,
    )
    session.add(finding)
    await session.flush()
    order = RectificationOrder(
        finding_id=finding.id,
        vendor_id=finding.vendor_id,
        status=OrderStatus.open.value,
        issued_on=today,
        deadline=finding_in.deadline,
        history=[{"at": clock.now().isoformat(), "by": reporter, "action": "issue", "from": None, "to": "open"}],
        version=1,
    )
    session.add(order)
    await session.flush()
    return order, finding


async def get_visible(
    session: AsyncSession, *, order_id: str, principal: Principal, lock: bool = False
) -> tuple[RectificationOrder, Finding]:
    found = await repository.get_order(session, order_id, lock=lock)
    if found is None or (principal.is_vendor_only and found[0].vendor_id != principal.vendor_id):
        raise NotFound(_("rectification order {order_id} not found", order_id=order_id))
    return found


async def transition(
    session: AsyncSession, *, order_id: str, action: OrderAction, note: str | None, principal: Principal, today: date
) -> tuple[RectificationOrder, Finding]:
    """Apply one step of the state machine; 409 for an illegal one, 403 when the role may not take it."""
    order, finding = await get_visible(session, order_id=order_id, principal=principal, lock=True)
    if action in rules.VENDOR_ACTIONS:
        allowed = principal.has(Role.vendor, Role.supervisor, Role.admin)
    else:
        allowed = principal.has(Role.supervisor, Role.inspector, Role.admin) and not principal.is_vendor_only
    if not allowed:
        raise Forbidden(_("your roles may not {action} a rectification order", action=action.value))
    try:
        new = rules.next_status(OrderStatus(order.status), action)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc)) from exc
    entry: dict[str, str | None] = {
        "at": clock.now().isoformat(),
        "by": principal.subject,
        "action": action.value,
        "from": order.status,
        "to": new.value,
        "note": note,
    }
    order.history = [*order.history, entry]
    order.status = new.value
    order.version += 1
    order.updated_at = clock.now()
    if new == OrderStatus.submitted:
        order.submitted_on = today
    if new == OrderStatus.verified:
        order.verified_on = today
    await session.flush()
    return order, finding


async def add_evidence(
    session: AsyncSession,
    *,
    order: RectificationOrder,
    filename: str,
    content_type: str,
    data: bytes,
    uploader: str,
    max_bytes: int,
) -> Evidence:
    if not data:
        raise UnprocessableEntity(_("the evidence file is empty"))
    if len(data) > max_bytes:
        raise UnprocessableEntity(_("the evidence file exceeds {max_bytes} bytes", max_bytes=max_bytes))
    if order.status == OrderStatus.verified:
        raise Conflict(_("the order is verified closed: no more evidence"))
    evidence = Evidence(
        order_id=order.id,
        filename=filename[:255] or "evidence",
        content_type=content_type[:120] or "application/octet-stream",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=uploader,
        uploaded_at=clock.now(),
    )
    session.add(evidence)
    await session.flush()
    return evidence


async def get_evidence(session: AsyncSession, *, order: RectificationOrder, evidence_id: str) -> Evidence:
    evidence = await session.get(Evidence, evidence_id)
    if evidence is None or evidence.order_id != order.id:
        raise NotFound(_("evidence {evidence_id} not found", evidence_id=evidence_id))
    return evidence


async def list_orders(
    session: AsyncSession, page: PageParams, *, vendor_id: str | None, status: str | None, overdue_on: date | None
) -> tuple[list[tuple[RectificationOrder, Finding]], int]:
    """Sort by `deadline` (default), `issued_on` or `status`."""
    order, desc = page.order({"deadline", "issued_on", "status"}, "deadline")
    return await repository.list_orders(
        session,
        vendor_id=vendor_id,
        status=status,
        overdue_on=overdue_on,
        limit=page.limit,
        offset=page.offset,
        order=order,
        desc=desc,
    )


async def list_evidence(session: AsyncSession, order_id: str) -> list[Evidence]:
    return await repository.list_evidence(session, order_id)
