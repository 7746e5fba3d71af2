"""HTTP routes of the contracts: create, list, read, update (with ETags), transitions, reviews, history."""

from __future__ import annotations

from fastapi import Depends, Header, Path, Query, Response, status

from contracts_api.audit.schemas import HistoryEntry
from contracts_api.contracts import service
from contracts_api.contracts.dependencies import READERS, VisibleContract
from contracts_api.contracts.schemas import (
    ContractCreate,
    ContractRead,
    ContractUpdate,
    ReviewCreate,
    ReviewRead,
    TransitionCreate,
)
from contracts_api.models import Contract
from contracts_api.models.enums import ContractStatus, ReviewKind, Route
from contracts_api.names import name_parties
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/contracts", tags=["contracts"], responses=COMMON_ERRORS)
ContractId = Path(max_length=36, description="contract id")
IfMatch = Header(None, alias="If-Match", description="the ETag of the contract as last read (required)")
ETAG_HEADER = {"ETag": {"description": "version of the contract, for If-Match", "schema": {"type": "string"}}}


def _with_etag(response: Response, contract: Contract) -> ContractRead:
    response.headers["ETag"] = service.etag(contract)
    return service.contract_read(contract)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractRead,
    responses={**problem_responses(404, 409), 201: {"headers": ETAG_HEADER}},
)
async def create_contract(
    contract_in: ContractCreate,
    response: Response,
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ContractRead:
    """Draft a contract. With `predecessor_id` it is a renewal: same project, starts after the predecessor
    ends, and the vendor must be eligible (409 naming the ground)."""
    contract = await service.create(session, contract_in=contract_in, actor=principal.subject)
    return _with_etag(response, contract)


@router.get("", response_model=Page[ContractRead])
async def list_contracts(
    session: DbSession,
    vendor_id: str | None = Query(None, max_length=36, description="vendor"),
    project_code: str | None = Query(None, max_length=64, description="project"),
    status_: ContractStatus | None = Query(None, alias="status", description="lifecycle status"),
    route: Route | None = Query(None, description="procurement route"),
    year: int | None = Query(None, ge=1990, le=2200, description="contracts whose period covers this year"),
    page: PageParams = Depends(sorted_page("-start_date")),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[ContractRead]:
    """List contracts; sort by `start_date`, `end_date`, `value`, `created_at` or `status`.
    A vendor token lists only its own contracts."""
    sort, desc = page.order(set(service.CONTRACT_SORTS), "-start_date")
    items, total = await service.list_contracts(
        session,
        filters={"vendor_id": vendor_id, "project_code": project_code, "status": status_, "route": route},
        year=year,
        scope=vendor_scope(principal),
        sort=sort,
        desc=desc,
        limit=page.limit,
        offset=page.offset,
    )
    answer = to_page(ContractRead, items, total, page)
    await name_parties(session, answer.items)
    return answer


@router.get(
    "/{contract_id}", response_model=ContractRead, responses={**problem_responses(404), 200: {"headers": ETAG_HEADER}}
)
async def get_contract(response: Response, session: DbSession, contract: VisibleContract) -> ContractRead:
    """One contract, with its `ETag`. A vendor asking for another vendor's contract gets 404."""
    answer = _with_etag(response, contract)
    await name_parties(session, [answer])
    return answer


@router.patch("/{contract_id}", response_model=ContractRead, responses=problem_responses(404, 409, 412, 428))
async def update_contract(
    contract_in: ContractUpdate,
    response: Response,
    session: DbSession,
    contract_id: str = ContractId,
    if_match: str | None = IfMatch,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ContractRead:
    """Edit a draft contract. `If-Match` is required (428 without, 412 when stale)."""
    contract = await service.update(
        session, contract_id=contract_id, contract_in=contract_in, if_match=if_match, actor=principal.subject
    )
    return _with_etag(response, contract)


@router.post("/{contract_id}/transitions", response_model=ContractRead, responses=problem_responses(404, 409, 412, 428))
async def transition_contract(
    transition_in: TransitionCreate,
    response: Response,
    session: DbSession,
    contract_id: str = ContractId,
    if_match: str | None = IfMatch,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ContractRead:
    """Move the contract along its lifecycle (draft → legal_review → expert_review → approved → signed →
    active → completed; terminated from signed/active). Illegal moves get 409; signing or activating for an
    ineligible vendor gets 409 naming the ground. Review states are left by a review. `If-Match` required."""
    contract = await service.transition(
        session, contract_id=contract_id, transition_in=transition_in, if_match=if_match, actor=principal.subject
    )
    return _with_etag(response, contract)


@router.post(
    "/{contract_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractRead,
    responses=problem_responses(404, 409, 412, 428),
)
async def create_review(
    review_in: ReviewCreate,
    response: Response,
    session: DbSession,
    contract_id: str = ContractId,
    if_match: str | None = IfMatch,
    principal: Principal = Depends(require_roles(Role.reviewer)),
) -> ContractRead:
    """Record a legal (法律审查) or expert (专家会审) review. Approving moves the contract on (expert review
    is required for tendered contracts); rejecting sends it back to draft. `If-Match` required."""
    contract, _ = await service.review(
        session, contract_id=contract_id, review_in=review_in, if_match=if_match, actor=principal.subject
    )
    return _with_etag(response, contract)


@router.get("/{contract_id}/reviews", response_model=Page[ReviewRead], responses=problem_responses(404))
async def list_reviews(
    session: DbSession,
    contract: VisibleContract,
    kind: ReviewKind | None = Query(None, description="legal or expert"),
    page: PageParams = Depends(sorted_page("created_at")),
) -> Page[ReviewRead]:
    """The reviews of a contract; sort by `created_at` (default, oldest first)."""
    _sort, desc = page.order({"created_at"}, "created_at")
    rows, total = await service.list_reviews(
        session, contract=contract, kind=kind, desc=desc, limit=page.limit, offset=page.offset
    )
    return to_page(ReviewRead, rows, total, page)


@router.get("/{contract_id}/history", response_model=Page[HistoryEntry], responses=problem_responses(404))
async def get_contract_history(
    session: DbSession,
    contract: VisibleContract,
    page: PageParams = Depends(page_window),
) -> Page[HistoryEntry]:
    """The append-only audit log of the contract: who, when, from, to, comment — oldest first."""
    rows, total = await service.history(session, contract=contract, limit=page.limit, offset=page.offset)
    return to_page(HistoryEntry, rows, total, page)
