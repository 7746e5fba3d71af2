from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api import audit
from contracts_api.contracts import lifecycle, repository
from contracts_api.contracts.schemas import ContractCreate, ContractUpdate, ReviewCreate, TransitionCreate
from contracts_api.models import Contract, Procurement, Project, Review
from contracts_api.models.enums import ContractStatus, Route
from contracts_api.ocds import service as ocds_service
from contracts_api.vendors import service as vendor_service
from houqin_common.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired, UnprocessableEntity

TENDERED = frozenset({Route.open_tender, Route.designated_tender})
CONTRACT_TAGS = ocds_service.CONTRACT_TAGS


def etag(contract: Contract) -> str:
    return f'"{contract.version}"'


def check_if_match(contract: Contract, if_match: str | None) -> None:
    """428 without If-Match, 412 when it names another version than the current one."""
    if not if_match:
        raise PreconditionRequired("send If-Match with the contract's ETag (read it with GET first)")
    wanted = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in wanted and etag(contract) not in wanted:
        raise PreconditionFailed(
            f"the contract changed: current ETag is {etag(contract)}, If-Match was {if_match}",
            current_etag=etag(contract),
        )


async def get(
    session: AsyncSession, *, contract_id: str, scope: str | None = None, for_update: bool = False
) -> Contract:
    """The contract; 404 also when ``scope`` (a vendor token's vendor) is not its vendor."""
    contract = await repository.get(session, contract_id, for_update=for_update)
    if contract is None or (scope is not None and contract.vendor_id != scope):
        raise NotFound(f"contract {contract_id} not found")
    return contract


async def create(
    session: AsyncSession,
    *,
    contract_in: ContractCreate,
    actor: str,
    action: str = "contract.create",
    publish: bool = True,
) -> Contract:
    """Register a contract; ``publish=False`` when the caller publishes the OCDS release of the event."""
    if await session.get(Project, contract_in.project_code) is None:
        raise UnprocessableEntity(f"unknown project {contract_in.project_code}")
    await vendor_service.get(session, vendor_id=contract_in.vendor_id)
    if contract_in.procurement_id and await session.get(Procurement, contract_in.procurement_id) is None:
        raise UnprocessableEntity(f"unknown procurement {contract_in.procurement_id}")
    if contract_in.predecessor_id:
        predecessor = await repository.get(session, contract_in.predecessor_id)
        if predecessor is None:
            raise UnprocessableEntity(f"unknown predecessor contract {contract_in.predecessor_id}")
        if predecessor.project_code != contract_in.project_code:
            raise UnprocessableEntity("a renewal must be for the same project as its predecessor")
        if contract_in.start_date <= predecessor.end_date:
            raise UnprocessableEntity(
                f"a renewal must start after its predecessor ends ({predecessor.end_date.isoformat()})"
            )
        await vendor_service.require_eligible(session, vendor_id=contract_in.vendor_id, action="renew the contract")
    contract = Contract(
        **contract_in.model_dump(),
        status=ContractStatus.draft,
        expert_review_required=contract_in.route in TENDERED,
    )
    session.add(contract)
    await session.flush()
    await session.refresh(contract)
    await audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="contract",
        entity_id=contract.id,
        contract_id=contract.id,
        to_status=contract.status,
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
        raise Conflict(f"only a draft contract can be edited; this one is {contract.status}")
    changes = contract_in.model_dump(exclude_unset=True, exclude_none=True)
    start = changes.get("start_date", contract.start_date)
    end = changes.get("end_date", contract.end_date)
    if end < start:
        raise UnprocessableEntity("end_date must not be before start_date")
    for key, value in changes.items():
        setattr(contract, key, value)
    await session.flush()
    await session.refresh(contract)
    await audit.record(
        session,
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
            session, vendor_id=contract.vendor_id, action=f"move the contract to {target}"
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
    return await _move(
        session, contract, transition_in.to, actor=actor, action="contract.transition", comment=transition_in.comment
    )


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
                f"a contract in {current} waits for a {expected} review, not {review_in.kind}"
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
