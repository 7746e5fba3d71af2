"""HTTP routes of the rectification orders: findings, transitions, evidence upload and download."""

from __future__ import annotations

from fastapi import Depends, File, Query, UploadFile, status
from fastapi.responses import Response

from appraisal.dependencies import AppSettings, Directory, Today
from appraisal.names import name_vendors
from appraisal.rectification import service
from appraisal.rectification.schemas import EvidenceRead, FindingCreate, OrderRead, TransitionIn
from appraisal.scoring.rules import OrderStatus
from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(tags=["rectification"], responses=COMMON_ERRORS)

READERS = (Role.supervisor, Role.inspector, Role.vendor, *READ_ALL)


@router.post(
    "/findings", status_code=status.HTTP_201_CREATED, response_model=OrderRead, responses=problem_responses(422)
)
async def create_finding(
    finding_in: FindingCreate,
    session: DbSession,
    today: Today,
    principal: Principal = Depends(require_roles(Role.supervisor, Role.inspector)),
) -> OrderRead:
    """Record a finding (inspection, security patrol, committee...) and issue its rectification order
    to the responsible vendor with a deadline. Returns the order (status `open`)."""
    order, finding = await service.open_finding(session, finding_in=finding_in, reporter=principal.subject, today=today)
    return service.to_read(order, finding, today)


@router.get("/rectifications", response_model=Page[OrderRead])
async def list_rectifications(
    session: DbSession,
    today: Today,
    names: Directory,
    vendor_id: str | None = Query(None, description="only this vendor"),
    order_status: OrderStatus | None = Query(None, alias="status", description="only this status"),
    overdue: bool = Query(False, description="only orders overdue today"),
    page: PageParams = Depends(sorted_page("deadline")),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[OrderRead]:
    """Rectification orders; `overdue=true` lists those past their deadline and not verified. A vendor
    token sees its own. Sort by `deadline` (default), `issued_on`, `status`."""
    rows, total = await service.list_orders(
        session,
        page,
        vendor_id=vendor_scope(principal) or vendor_id,
        status=order_status.value if order_status else None,
        overdue_on=today if overdue else None,
    )
    answer = to_page(OrderRead, [service.to_read(o, f, today) for o, f in rows], total, page)
    await name_vendors(names, answer.items)
    return answer


@router.get("/rectifications/{order_id}", response_model=OrderRead, responses=problem_responses(404))
async def get_rectification(
    order_id: str,
    session: DbSession,
    today: Today,
    names: Directory,
    principal: Principal = Depends(require_roles(*READERS)),
) -> OrderRead:
    """One rectification order with its history (a vendor sees only its own: 404 otherwise)."""
    order, finding = await service.get_visible(session, order_id=order_id, principal=principal)
    answer = service.to_read(order, finding, today)
    await name_vendors(names, [answer])
    return answer


@router.post("/rectifications/{order_id}/transitions", response_model=OrderRead, responses=problem_responses(404, 409))
async def transition_rectification(
    order_id: str,
    transition_in: TransitionIn,
    session: DbSession,
    today: Today,
    principal: Principal = Depends(require_roles(Role.vendor, Role.supervisor, Role.inspector)),
) -> OrderRead:
    """Move the order: `start` and `submit` by the vendor, `verify` or `reject` by a supervisor or
    inspector (`open → in_progress → submitted → verified`, `rejected → in_progress`). An illegal
    step answers 409 and changes nothing."""
    order, finding = await service.transition(
        session,
        order_id=order_id,
        action=transition_in.action,
        note=transition_in.note,
        principal=principal,
        today=today,
    )
    return service.to_read(order, finding, today)


@router.post(
    "/rectifications/{order_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceRead,
    responses=problem_responses(404, 409),
)
async def upload_evidence(
    order_id: str,
    session: DbSession,
    settings: AppSettings,
    file: UploadFile = File(description="photo, scan or document proving the rectification"),
    principal: Principal = Depends(require_roles(Role.vendor, Role.supervisor, Role.inspector)),
) -> EvidenceRead:
    """Attach an evidence file to a rectification order (multipart `file`)."""
    order, _ = await service.get_visible(session, order_id=order_id, principal=principal)
    data = await file.read(settings.evidence_max_bytes + 1)
    evidence = await service.add_evidence(
        session,
        order=order,
        filename=file.filename or "evidence",
        content_type=file.content_type or "application/octet-stream",
        data=data,
        uploader=principal.subject,
        max_bytes=settings.evidence_max_bytes,
    )
    return EvidenceRead.model_validate(evidence)


@router.get("/rectifications/{order_id}/evidence", response_model=list[EvidenceRead], responses=problem_responses(404))
async def list_evidence(
    order_id: str, session: DbSession, principal: Principal = Depends(require_roles(*READERS))
) -> list[EvidenceRead]:
    """Evidence files of an order."""
    order, _ = await service.get_visible(session, order_id=order_id, principal=principal)
    return [EvidenceRead.model_validate(e) for e in await service.list_evidence(session, order.id)]


@router.get(
    "/rectifications/{order_id}/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **problem_responses(404)},
)
async def download_evidence(
    order_id: str, evidence_id: str, session: DbSession, principal: Principal = Depends(require_roles(*READERS))
) -> Response:
    """Download one evidence file."""
    order, _ = await service.get_visible(session, order_id=order_id, principal=principal)
    evidence = await service.get_evidence(session, order=order, evidence_id=evidence_id)
    return Response(
        evidence.data,
        media_type=evidence.content_type,
        headers={"Content-Disposition": f'attachment; filename="{evidence.sha256[:12]}-{evidence.id[:8]}"'},
    )
