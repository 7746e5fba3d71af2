"""HTTP routes of the complaints: file, list, read, respond, close."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from appraisal.complaints import service
from appraisal.complaints.schemas import (
    ComplaintClose,
    ComplaintCreate,
    ComplaintQuery,
    ComplaintRead,
    ComplaintRespond,
)
from appraisal.dependencies import Directory, name_directory
from appraisal.names import name_vendors
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, Forbidden, problem_responses
from houqin_common.hotpath import json_response, page_response, read_pool
from houqin_common.i18n import _
from houqin_common.pagination import page_of_query
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/complaints", tags=["complaints"], responses=COMMON_ERRORS)


# The hot reads are declared first: a router tries its routes in declaration order (twice per request,
# ≈ 2.5 µs a route; docs/operations.md), and none declared before them can match their paths.


@router.get("", response_model=Page[ComplaintRead])
async def list_complaints(
    request: Request,
    query: Annotated[ComplaintQuery, Query()],
    principal: Principal = Depends(require_roles(Role.supervisor, Role.vendor, Role.staff, *READ_ALL)),
) -> Response:
    """Complaints: supervisors and auditors see all, a vendor those routed to it, staff their own."""
    wide = principal.has(Role.supervisor, Role.admin, Role.auditor, Role.service)
    page = page_of_query(query)
    items, total = await service.read_complaints(
        read_pool(request),
        name_directory(request),
        page,
        principal=principal,
        vendor_id=principal.vendor_id if principal.is_vendor_only else query.vendor_id,
        filed_by=None if wide or principal.is_vendor_only else principal.subject,
        category=query.category.value if query.category else None,
        status=query.status.value if query.status else None,
        since=query.since,
    )
    return page_response(ComplaintRead, items, total, page)


@router.get("/{complaint_id}", response_model=ComplaintRead, responses=problem_responses(404))
async def get_complaint(
    complaint_id: str,
    request: Request,
    principal: Principal = Depends(require_roles(Role.supervisor, Role.vendor, Role.staff, *READ_ALL)),
) -> Response:
    """One complaint (404 when not visible to the caller)."""
    names = name_directory(request)
    return json_response(
        await service.read_visible(read_pool(request), names, complaint_id=complaint_id, principal=principal)
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ComplaintRead)
async def file_complaint(
    complaint_in: ComplaintCreate,
    session: DbSession,
    names: Directory,
    principal: Principal = Depends(require_roles(Role.staff, Role.supervisor)),
) -> ComplaintRead:
    """File a complaint or suggestion (canteen dishes, air-conditioning temperature, door guards,
    parking...); it is routed to the vendor running the project concerned."""
    answer = service.to_read(await service.file(session, complaint_in=complaint_in, filer=principal.subject))
    await name_vendors(names, [answer])
    return answer


@router.post("/{complaint_id}/responses", response_model=ComplaintRead, responses=problem_responses(404, 409))
async def respond_to_complaint(
    complaint_id: str,
    respond_in: ComplaintRespond,
    session: DbSession,
    names: Directory,
    principal: Principal = Depends(require_roles(Role.vendor, Role.supervisor)),
) -> ComplaintRead:
    """Answer a complaint (the vendor it is routed to, or a supervisor); the first answer sets the time
    to first response."""
    complaint = await service.lock_visible(session, complaint_id=complaint_id, principal=principal)
    if not principal.is_vendor_only and not principal.has(Role.supervisor, Role.admin):
        raise Forbidden(_("only the vendor or a supervisor answers a complaint"))
    answer = service.to_read(await service.respond(session, complaint=complaint, respond_in=respond_in), principal)
    await name_vendors(names, [answer])
    return answer


@router.post("/{complaint_id}/close", response_model=ComplaintRead, responses=problem_responses(404, 409))
async def close_complaint(
    complaint_id: str,
    close_in: ComplaintClose,
    session: DbSession,
    names: Directory,
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> ComplaintRead:
    """Close a complaint, stating whether it was founded (a founded complaint counts against the vendor)."""
    complaint = await service.lock_visible(session, complaint_id=complaint_id, principal=principal)
    answer = service.to_read(await service.close(session, complaint=complaint, close_in=close_in), principal)
    await name_vendors(names, [answer])
    return answer
