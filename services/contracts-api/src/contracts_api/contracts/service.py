"""Contract logic: creation, optimistic updates (ETag / If-Match) and lifecycle transitions, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.audit import service as audit
from contracts_api.contracts import lifecycle, repository
from contracts_api.contracts.schemas import (
    ContractCreate,
    ContractRead,
    ContractUpdate,
    ReviewCreate,
    TransitionCreate,
)
from contracts_api.models import AuditEntry, Contract, Review
from contracts_api.models.enums import ContractStatus, ReviewKind, Route
from contracts_api.ocds import service as ocds_service
from contracts_api.vendors import service as vendor_service
from houqin_common import clock
from houqin_common.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired, UnprocessableEntity
from houqin_common.i18n import _

TENDERED = frozenset({Route.open_tender, Route.designated_tender})
CONTRACT_TAGS = ocds_service.CONTRACT_TAGS

#: fields a contract list may be sorted by
CONTRACT_SORTS = frozenset(repository.CONTRACT_SORTS)


def contract_read(contract: Contract) -> ContractRead:
    data = {c.key: getattr(contract, c.key) for c in Contract.__table__.columns}
    data["status_label_zh"] = ContractStatus(contract.status).label_zh
    return ContractRead.model_validate(data)


def etag(contract: Contract) -> str:
    return f'"{contract.version}"'


def check_if_match(contract: Contract, if_match: str | None) -> None:
    """428 without If-Match, 412 when it names another version than the current one."""
    if not if_match:
        raise PreconditionRequired(_("send If-Match with the contract's ETag (read it with GET first)"))
    wanted = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in wanted and etag(contract) not in wanted:
        raise PreconditionFailed(
            _(
                "the contract changed: current ETag is {etag}, If-Match was {if_match}",
                etag=etag(contract),
                if_match=if_match,
            ),
            current_etag=etag(contract),
        )


async def get(
    session: AsyncSession, *, contract_id: str, scope: str | None = None, for_update: bool = False
) -> Contract:
    """The contract; 404 also when ``scope`` (a vendor token's vendor) is not its vendor."""
    contract = await repository.get(session, contract_id, for_update=for_update)
    if contract is None or (scope is not None and contract.vendor_id != scope):
        raise NotFound(_("contract {contract_id} not found", contract_id=contract_id))
    return contract


async def list_contracts(
    session: AsyncSession,
    *,
    filters: dict[str, Any],
    year: int | None,
    scope: str | None,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
) -> tuple[list[ContractRead], int]:
    rows, total = await repository.list_page(
        session,
        filters=filters,
        year=year,
        only_vendor_id=scope,
        sort=sort,
        desc=desc,
        limit=limit,
        offset=offset,
    )
    return [contract_read(r) for r in rows], total


async def list_reviews(
    session: AsyncSession, *, contract: Contract, kind: ReviewKind | None, desc: bool, limit: int, offset: int
) -> tuple[list[Review], int]:
    return await repository.reviews(session, contract.id, kind=kind, desc=desc, limit=limit, offset=offset)


async def history(
    session: AsyncSession, *, contract: Contract, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    return await repository.history(session, contract.id, limit=limit, offset=offset)


async def create(
    session: AsyncSession,
    *,
    contract_in: ContractCreate,
    actor: str,
    action: str = "contract.create",
    publish: bool = True,
) -> Contract:
    """Register a contract; ``publish=False`` when the caller publishes the OCDS release of the event."""
    if not await repository.project_exists(session, contract_in.project_code):
        raise UnprocessableEntity(_("unknown project {project_code}", project_code=contract_in.project_code))
    await vendor_service.load(session, vendor_id=contract_in.vendor_id)
    if contract_in.procurement_id and not await repository.procurement_exists(session, contract_in.procurement_id):
        raise UnprocessableEntity(_("unknown procurement {procurement_id}", procurement_id=contract_in.procurement_id))
    if contract_in.predecessor_id:
        predecessor = await repository.get(session, contract_in.predecessor_id)
        if predecessor is None:
            raise UnprocessableEntity(
                _("unknown predecessor contract {predecessor_id}", predecessor_id=contract_in.predecessor_id)
            )
        if predecessor.project_code != contract_in.project_code:
            raise UnprocessableEntity(_("a renewal must be for the same project as its predecessor"))
        if contract_in.start_date <= predecessor.end_date:
            raise UnprocessableEntity(
                _(
                    "a renewal must start after its predecessor ends ({end_date})",
                    end_date=predecessor.end_date.isoformat(),
                )
            )
        await vendor_service.require_eligible(session, vendor_id=contract_in.vendor_id, action=_("renew the contract"))
    contract = await audit.add_recorded(
        session,
        Contract(
            **contract_in.model_dump(),
            status=ContractStatus.draft,
            expert_review_required=contract_in.route in TENDERED,
        ),
        actor=actor,
        action=action,
        entity_type="contract",
        entity_id=lambda c: c.id,
        contract_id=lambda c: c.id,
        to_status=ContractStatus.draft,
        data=contract_in.model_dump(mode="json"),
    )
    if publish:
        tags = ["contract"] if contract.procurement_id else ["award", "contract"]
        await ocds_service.publish_contract(session, contract=contract, event=action, tags=tags)
    return contract


async def update(
    session: AsyncSession, *, contract_id: str, contract_in: ContractUpdate, if_match: str | None, actor: str
) -> Contract:
    contract = await get(session, contract_id=contract_id, for_update=True)
    check_if_match(contract, if_match)
    if contract.status != ContractStatus.draft:
        raise Conflict(_("only a draft contract can be edited; this one is {status}", status=contract.status))
    changes = contract_in.model_dump(exclude_unset=True, exclude_none=True)
    start = changes.get("start_date", contract.start_date)
    end = changes.get("end_date", contract.end_date)
    if end < start:
        raise UnprocessableEntity(_("end_date must not be before start_date"))
    contract = await audit.update_recorded(
        session,
        contract,
        changes,
        actor=actor,
        action="contract.update",
        entity_type="contract",
        entity_id=contract.id,
        contract_id=contract.id,
        data=contract_in.model_dump(mode="json", exclude_unset=True),
    )
    await ocds_service.publish_contract(session, contract=contract, event="contract.update", tags=["contractUpdate"])
    return contract


async def _move(
    session: AsyncSession,
    contract: Contract,
    target: ContractStatus,
    *,
    actor: str,
    action: str,
    comment: str | None,
    data: dict[str, str] | None = None,
) -> Contract:
    if target in lifecycle.NEEDS_ELIGIBLE:
        await vendor_service.require_eligible(
            session, vendor_id=contract.vendor_id, action=_("move the contract to {status}", status=target)
        )
    before = contract.status
    contract.status = target
    await session.flush()
    await session.refresh(contract)
    await audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="contract",
        entity_id=contract.id,
        contract_id=contract.id,
        from_status=before,
        to_status=target,
        comment=comment,
        data=data,
    )
    tags = CONTRACT_TAGS.get(target, ["contractUpdate"])
    await ocds_service.publish_contract(session, contract=contract, event=action, tags=tags)
    return contract


async def transition(
    session: AsyncSession, *, contract_id: str, transition_in: TransitionCreate, if_match: str | None, actor: str
) -> Contract:
    contract = await get(session, contract_id=contract_id, for_update=True)
    check_if_match(contract, if_match)
    try:
        lifecycle.check_transition(
            ContractStatus(contract.status), transition_in.to, expert_review_required=contract.expert_review_required
        )
    except lifecycle.IllegalTransition as exc:
        raise Conflict(str(exc), current_status=contract.status) from exc
    data = _check_dates(contract, transition_in, clock.today())
    return await _move(
        session,
        contract,
        transition_in.to,
        actor=actor,
        action="contract.transition",
        comment=transition_in.comment,
        data=data,
    )


def _check_dates(contract: Contract, transition_in: TransitionCreate, today: date) -> dict[str, str] | None:
    """A contract is not active before its start date unless an early start is recorded with its reason, and
    never completed before it starts. Returns what the audit log records of an early start."""
    target = transition_in.to
    if target == ContractStatus.completed and today < contract.start_date:
        raise Conflict(
            _(
                "the contract starts on {start}: it cannot be completed on {today}",
                start=contract.start_date.isoformat(),
                today=today.isoformat(),
            ),
            current_status=contract.status,
        )
    if target != ContractStatus.active or today >= contract.start_date:
        return None
    if not transition_in.early_start_justification:
        raise Conflict(
            _(
                "the contract starts on {start}: activating it on {today} needs an early_start_justification",
                start=contract.start_date.isoformat(),
                today=today.isoformat(),
            ),
            current_status=contract.status,
            **{
                "invalid-params": [{"name": "early_start_justification", "reason": _("required before the start date")}]
            },
        )
    contract.early_start_justification = transition_in.early_start_justification
    return {"early_start": transition_in.early_start_justification, "start_date": contract.start_date.isoformat()}


async def review(
    session: AsyncSession, *, contract_id: str, review_in: ReviewCreate, if_match: str | None, actor: str
) -> tuple[Contract, Review]:
    contract = await get(session, contract_id=contract_id, for_update=True)
    check_if_match(contract, if_match)
    current = ContractStatus(contract.status)
    try:
        expected = lifecycle.review_kind_for(current)
        if expected != review_in.kind:
            raise lifecycle.IllegalTransition(
                _(
                    "a contract in {status} waits for a {expected} review, not {kind}",
                    status=current,
                    expected=expected,
                    kind=review_in.kind,
                )
            )
        target = lifecycle.after_review(
            current,
            review_in.verdict,
            expert_review_required=contract.expert_review_required,
            request_expert_review=review_in.request_expert_review,
        )
    except lifecycle.IllegalTransition as exc:
        raise Conflict(str(exc), current_status=contract.status) from exc
    record = Review(
        contract_id=contract.id,
        kind=review_in.kind,
        verdict=review_in.verdict,
        reviewer=actor,
        comment=review_in.comment,
    )
    session.add(record)
    await session.flush()
    contract = await _move(
        session,
        contract,
        target,
        actor=actor,
        action=f"contract.review.{review_in.kind}",
        comment=review_in.comment,
        data={"review_id": record.id, "verdict": review_in.verdict},
    )
    await session.refresh(record)
    return contract, record
