"""HTTP routes of the vendors: registry, import, qualifications, credit records, due diligence, eligibility."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Body, Depends, Path, Query, Request, Response, status

from contracts_api.common import STAFF_READERS
from contracts_api.models.enums import CreditKind
from contracts_api.names import name_parties
from contracts_api.vendors import service
from contracts_api.vendors.dependencies import VisibleVendor
from contracts_api.vendors.schemas import (
    CreditRecordCreate,
    CreditRecordRead,
    DueDiligenceCreate,
    DueDiligenceRead,
    QualificationCreate,
    QualificationRead,
    VendorCreate,
    VendorImportResult,
    VendorQuery,
    VendorRead,
    VendorUpdate,
    VetoCreate,
    VetoLift,
    VetoRead,
)
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.hotpath import json_response, page_response, read_pool
from houqin_common.pagination import PageParams, page_of_query, page_window, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Eligibility, Page

router = ServiceRouter(prefix="/vendors", tags=["vendors"], responses=COMMON_ERRORS)
VendorId = Path(max_length=36, description="vendor id")


# The hot reads are declared first: a router tries its routes in declaration order (twice per request,
# ≈ 2.5 µs a route; docs/operations.md), and none declared before them can match their paths.


@router.get("", response_model=Page[VendorRead])
async def list_vendors(
    request: Request,
    query: Annotated[VendorQuery, Query()],
    principal: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> Response:
    """List vendors; sort by `name`, `created_at` or `credit_code`. A vendor token lists only itself."""
    page = page_of_query(query)
    sort, desc = page.order(set(service.VENDOR_SORTS), "name")
    items, total = await service.read_vendors(
        read_pool(request),
        q=query.q,
        legal_status=query.legal_status,
        vetoed=query.vetoed,
        scope=vendor_scope(principal),
        sort=sort,
        desc=desc,
        limit=page.limit,
        offset=page.offset,
    )
    return page_response(VendorRead, items, total, page)


@router.get("/{vendor_id}", response_model=VendorRead, responses=problem_responses(404))
async def get_vendor(
    request: Request,
    vendor_id: str = VendorId,
    principal: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> Response:
    """One vendor. A vendor token sees only its own vendor (404 for any other)."""
    return json_response(await service.read(read_pool(request), vendor_id=vendor_id, scope=vendor_scope(principal)))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=VendorRead, responses=problem_responses(409))
async def create_vendor(
    vendor_in: VendorCreate,
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> VendorRead:
    """Register a vendor. The credit code must pass the GB 32100-2015 check (422 says why) and be unique (409)."""
    vendor = await service.create(session, vendor_in=vendor_in, actor=principal.subject)
    return VendorRead.model_validate(vendor)


@router.post("/import", response_model=VendorImportResult, responses=problem_responses(422))
async def import_vendors(
    session: DbSession,
    rows: list[dict[str, Any]] = Body(
        description="one object per spreadsheet row (column -> value)",
        openapi_examples={
            "two_rows": {
                "summary": "two vendors from the annual register",
                "value": [
                    {
                        "name": "常州市金坛区安居物业服务有限公司",
                        "credit_code": "913204001007839814",
                        "legal_representative": "王建国",
                        "contact_phone": "0519-85681234",
                        "address": "江苏省常州市新北区龙城大道1280号",
                    },
                    {
                        "name": "常州龙城会务服务有限公司",
                        "credit_code": "91320400000002027T",
                        "contact_name": "周敏",
                        "contact_phone": "13915081234",
                    },
                ],
            }
        },
    ),
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> VendorImportResult:
    """Import vendors all-or-nothing: 422 with row-level `errors` when any row is refused, nothing imported."""
    return await service.import_rows(session, rows=rows, actor=principal.subject)


@router.get("/qualifications/expiring", response_model=Page[QualificationRead])
async def list_expiring_qualifications(
    session: DbSession,
    within_days: int = Query(30, ge=0, le=3650, description="expiring within this many days from today"),
    page: PageParams = Depends(page_window),
    principal: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> Page[QualificationRead]:
    """Qualifications whose validity ends within `within_days` days, soonest first."""
    rows, total = await service.list_expiring_qualifications(
        session, within_days=within_days, scope=vendor_scope(principal), limit=page.limit, offset=page.offset
    )
    answer = to_page(QualificationRead, rows, total, page)
    await name_parties(session, answer.items)
    return answer


@router.patch("/{vendor_id}", response_model=VendorRead, responses=problem_responses(404))
async def update_vendor(
    vendor_in: VendorUpdate,
    session: DbSession,
    vendor_id: str = VendorId,
    principal: Principal = Depends(require_roles(Role.procurement, Role.supervisor)),
) -> VendorRead:
    """Change a vendor's name, legal status or contact."""
    vendor = await service.update(session, vendor_id=vendor_id, vendor_in=vendor_in, actor=principal.subject)
    return VendorRead.model_validate(vendor)


@router.get("/{vendor_id}/eligibility", response_model=Eligibility, responses=problem_responses(404))
async def get_vendor_eligibility(
    session: DbSession,
    vendor: VisibleVendor,
    as_of: date | None = Query(
        None,
        description="the vetoes, legal status and qualifications in force on this day (a decision about a past period)",
    ),
) -> Eligibility:
    """Whether the vendor may be awarded, renewed or signed: active vetoes, expired mandatory
    qualifications and legal-person status each add a reason. With `as_of`, a veto counts when it was
    recorded by that day and not lifted before it ends, the legal status is the one recorded by then, and
    qualifications are checked on that day."""
    verdict = await service.eligibility(session, vendor=vendor, as_of=as_of)
    return verdict.model_copy(update={"vendor_name": vendor.name})


@router.get("/{vendor_id}/qualifications", response_model=Page[QualificationRead], responses=problem_responses(404))
async def list_vendor_qualifications(
    session: DbSession,
    vendor: VisibleVendor,
    mandatory: bool | None = Query(None, description="only mandatory (true) or optional (false) ones"),
    page: PageParams = Depends(sorted_page("valid_to")),
) -> Page[QualificationRead]:
    """The vendor's qualifications; sort by `valid_to` (default), `valid_from` or `kind`."""
    sort, desc = page.order(set(service.QUALIFICATION_SORTS), "valid_to")
    rows, total = await service.list_qualifications(
        session, vendor=vendor, mandatory=mandatory, sort=sort, desc=desc, limit=page.limit, offset=page.offset
    )
    answer = to_page(QualificationRead, rows, total, page)
    await name_parties(session, answer.items)
    return answer


@router.post(
    "/{vendor_id}/qualifications",
    status_code=status.HTTP_201_CREATED,
    response_model=QualificationRead,
    responses=problem_responses(404),
)
async def create_qualification(
    qualification_in: QualificationCreate,
    session: DbSession,
    vendor_id: str = VendorId,
    principal: Principal = Depends(require_roles(Role.procurement, Role.supervisor)),
) -> QualificationRead:
    """Record a qualification (licence, certificate) of the vendor."""
    q = await service.add_qualification(
        session, vendor_id=vendor_id, qualification_in=qualification_in, actor=principal.subject
    )
    return QualificationRead.model_validate(q)


@router.get("/{vendor_id}/credit-records", response_model=Page[CreditRecordRead], responses=problem_responses(404))
async def list_credit_records(
    session: DbSession,
    vendor: VisibleVendor,
    kind: CreditKind | None = Query(None, description="filter by kind"),
    page: PageParams = Depends(page_window),
) -> Page[CreditRecordRead]:
    """Credit and breach records of the vendor, newest first."""
    rows, total = await service.list_credit_records(
        session, vendor=vendor, kind=kind, limit=page.limit, offset=page.offset
    )
    return to_page(CreditRecordRead, rows, total, page)


@router.post(
    "/{vendor_id}/credit-records",
    status_code=status.HTTP_201_CREATED,
    response_model=CreditRecordRead,
    responses=problem_responses(404),
)
async def create_credit_record(
    record_in: CreditRecordCreate,
    session: DbSession,
    vendor_id: str = VendorId,
    principal: Principal = Depends(require_roles(Role.procurement, Role.supervisor)),
) -> CreditRecordRead:
    """Record a credit event (commendation, warning, breach 违约, dishonesty 失信)."""
    record = await service.add_credit_record(session, vendor_id=vendor_id, record_in=record_in, actor=principal.subject)
    return CreditRecordRead.model_validate(record)


@router.get("/{vendor_id}/due-diligence", response_model=Page[DueDiligenceRead], responses=problem_responses(404))
async def list_due_diligence(
    session: DbSession,
    vendor: VisibleVendor,
    period: str | None = Query(None, max_length=16, description="contract period, e.g. 2026"),
    page: PageParams = Depends(page_window),
) -> Page[DueDiligenceRead]:
    """Due-diligence reviews of the vendor, newest first."""
    rows, total = await service.list_due_diligence(
        session, vendor=vendor, period=period, limit=page.limit, offset=page.offset
    )
    return to_page(DueDiligenceRead, rows, total, page)


@router.post(
    "/{vendor_id}/due-diligence",
    status_code=status.HTTP_201_CREATED,
    response_model=DueDiligenceRead,
    responses=problem_responses(404),
)
async def create_due_diligence(
    review_in: DueDiligenceCreate,
    session: DbSession,
    vendor_id: str = VendorId,
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> DueDiligenceRead:
    """Record the due-diligence update before a contract period: legal status, capacity to perform,
    credit, service quality and price, each assessed, with an overall verdict."""
    review = await service.add_due_diligence(session, vendor_id=vendor_id, review_in=review_in, actor=principal.subject)
    return DueDiligenceRead.model_validate(review)


@router.get("/{vendor_id}/vetoes", response_model=Page[VetoRead], responses=problem_responses(404))
async def list_vetoes(
    session: DbSession,
    vendor: VisibleVendor,
    active: bool | None = Query(None, description="true: only active; false: only lifted"),
    page: PageParams = Depends(page_window),
) -> Page[VetoRead]:
    """Veto records of the vendor (lifted ones stay on record)."""
    items, total = await service.list_vetoes(
        session, vendor=vendor, active=active, limit=page.limit, offset=page.offset
    )
    return to_page(VetoRead, items, total, page)


@router.post(
    "/{vendor_id}/vetoes",
    status_code=status.HTTP_201_CREATED,
    response_model=VetoRead,
    responses=problem_responses(404),
)
async def create_veto(
    veto_in: VetoCreate,
    session: DbSession,
    vendor_id: str = VendorId,
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> VetoRead:
    """Record a one-vote veto (一票否决) on one of its four grounds; the vendor becomes ineligible."""
    return service.veto_read(
        await service.record_veto(session, vendor_id=vendor_id, veto_in=veto_in, actor=principal.subject)
    )


@router.post("/{vendor_id}/vetoes/{veto_id}/lift", response_model=VetoRead, responses=problem_responses(404, 409))
async def lift_veto(
    lift_in: VetoLift,
    session: DbSession,
    vendor_id: str = VendorId,
    veto_id: str = Path(max_length=36, description="veto id"),
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> VetoRead:
    """Lift a veto, with the reason. Vetoes are never deleted; a lifted veto stays on record."""
    veto = await service.lift_veto(
        session, vendor_id=vendor_id, veto_id=veto_id, lift_in=lift_in, actor=principal.subject
    )
    return service.veto_read(veto)
