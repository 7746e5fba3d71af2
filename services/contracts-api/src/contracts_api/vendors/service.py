"""Vendor logic: registration and updates, imports, qualifications, credit records, due diligence, vetoes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.audit import service as audit
from contracts_api.models import CreditRecord, DueDiligence, Qualification, Vendor, Veto
from contracts_api.models.enums import VetoGround
from contracts_api.vendors import repository
from contracts_api.vendors.rules import QualificationFact, VetoFact, exclusion_reasons, lapsing_qualifications
from contracts_api.vendors.schemas import (
    CreditRecordCreate,
    DueDiligenceCreate,
    ImportRowError,
    QualificationCreate,
    VendorCreate,
    VendorImportResult,
    VendorRead,
    VendorUpdate,
    VetoCreate,
    VetoLift,
    VetoRead,
)
from houqin_common import clock
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.hotpath import ReadPool, page_items
from houqin_common.i18n import Text, _
from houqin_common.schemas import Eligibility

R = TypeVar("R", Qualification, CreditRecord, DueDiligence)

#: fields the vendor and qualification lists may be sorted by
VENDOR_SORTS = frozenset(repository.VENDOR_SORTS)
QUALIFICATION_SORTS = frozenset(repository.QUALIFICATION_SORTS)


def veto_read(veto: Veto) -> VetoRead:
    return VetoRead.model_validate(
        {
            **{c: getattr(veto, c) for c in ("id", "vendor_id", "ground", "evidence", "recorded_by", "recorded_at")},
            **{c: getattr(veto, c) for c in ("lifted_at", "lifted_by", "lift_reason")},
            "ground_label_zh": VetoGround(veto.ground).label_zh,
            "active": veto.lifted_at is None,
        }
    )


async def create(session: AsyncSession, *, vendor_in: VendorCreate, actor: str) -> Vendor:
    if await repository.get_by_credit_code(session, vendor_in.credit_code):
        raise Conflict(_("a vendor with credit code {credit_code} already exists", credit_code=vendor_in.credit_code))
    if vendor_in.id and await repository.get(session, vendor_in.id):
        raise Conflict(_("a vendor with id {vendor_id} already exists", vendor_id=vendor_in.id))
    data = vendor_in.model_dump(exclude_none=True)
    vendor = Vendor(**data)
    try:
        async with session.begin_nested():
            session.add(vendor)
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same code or id won the race
        raise Conflict(
            _(
                "a vendor with credit code {credit_code} or id {vendor_id} already exists",
                credit_code=vendor_in.credit_code,
                vendor_id=vendor_in.id,
            )
        ) from exc
    await audit.record(
        session,
        actor=actor,
        action="vendor.create",
        entity_type="vendor",
        entity_id=vendor.id,
        data=vendor_in.model_dump(mode="json"),
    )
    return vendor


async def load(session: AsyncSession, *, vendor_id: str, scope: str | None = None) -> Vendor:
    """The vendor's ORM row in the request's session, for a change or for a write or rule that reads it beside
    other rows of the same transaction; 404 also when ``scope`` (a vendor token's own id) is another vendor.
    An endpoint that shows a vendor answers through :func:`read`, the one read path."""
    vendor = None if scope is not None and scope != vendor_id else await repository.get(session, vendor_id)
    if vendor is None:
        raise NotFound(_("vendor {vendor_id} not found", vendor_id=vendor_id))
    return vendor


async def read(db: ReadPool, *, vendor_id: str, scope: str | None = None) -> VendorRead:
    """The one read path of a vendor (``GET /v1/vendors/{id}`` and the ``VisibleVendor`` of the sub-resource
    reads): one Core select straight into VendorRead, no ORM object; a vendor token's other vendors are
    refused before any query."""
    row = None if scope is not None and scope != vendor_id else await repository.read_vendor(db, vendor_id)
    if row is None:
        raise NotFound(_("vendor {vendor_id} not found", vendor_id=vendor_id))
    return VendorRead.model_validate(dict(row))


async def read_vendors(
    db: ReadPool,
    *,
    q: str | None,
    legal_status: str | None,
    vetoed: bool | None,
    scope: str | None,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
) -> tuple[list[VendorRead], int]:
    """Vendors filtered and sorted, the page's rows validated as VendorRead in one call."""
    rows, total = await repository.read_vendors(
        db,
        q=q,
        legal_status=legal_status,
        vetoed=vetoed,
        only_vendor_id=scope,
        sort=sort,
        desc=desc,
        limit=limit,
        offset=offset,
    )
    return page_items(VendorRead, rows), total


async def list_expiring_qualifications(
    session: AsyncSession, *, within_days: int, scope: str | None, limit: int, offset: int
) -> tuple[list[Qualification], int]:
    """Qualifications whose validity ends between today and ``within_days`` days from now."""
    today = clock.today()
    return await repository.expiring_qualifications(
        session,
        until=today + timedelta(days=within_days),
        today=today,
        only_vendor_id=scope,
        limit=limit,
        offset=offset,
    )


async def list_qualifications(
    session: AsyncSession, *, vendor: VendorRead, mandatory: bool | None, sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Qualification], int]:
    return await repository.qualifications_page(
        session, vendor.id, mandatory=mandatory, sort=sort, desc=desc, limit=limit, offset=offset
    )


async def list_credit_records(
    session: AsyncSession, *, vendor: VendorRead, kind: str | None, limit: int, offset: int
) -> tuple[list[CreditRecord], int]:
    return await repository.credit_records(session, vendor.id, kind=kind, limit=limit, offset=offset)


async def list_due_diligence(
    session: AsyncSession, *, vendor: VendorRead, period: str | None, limit: int, offset: int
) -> tuple[list[DueDiligence], int]:
    return await repository.due_diligence(session, vendor.id, period=period, limit=limit, offset=offset)


async def list_vetoes(
    session: AsyncSession, *, vendor: VendorRead, active: bool | None, limit: int, offset: int
) -> tuple[list[VetoRead], int]:
    rows, total = await repository.vetoes(session, vendor.id, active=active, limit=limit, offset=offset)
    return [veto_read(v) for v in rows], total


async def update(session: AsyncSession, *, vendor_id: str, vendor_in: VendorUpdate, actor: str) -> Vendor:
    vendor = await load(session, vendor_id=vendor_id)
    changes = vendor_in.model_dump(exclude_unset=True)
    # name and legal status are required columns: an explicit null leaves them unchanged
    changes = {k: v for k, v in changes.items() if v is not None or k not in ("name", "legal_status")}
    return await audit.update_recorded(
        session,
        vendor,
        changes,
        actor=actor,
        action="vendor.update",
        entity_type="vendor",
        entity_id=vendor.id,
        data=vendor_in.model_dump(mode="json", exclude_unset=True),
    )


async def import_rows(session: AsyncSession, *, rows: list[dict[str, Any]], actor: str) -> VendorImportResult:
    """Validate every row, then create all vendors or none (a failing row leaves nothing half-imported)."""
    errors: list[ImportRowError] = []
    parsed: list[tuple[int, VendorCreate]] = []
    known = set(VendorCreate.model_fields)
    for number, raw in enumerate(rows, start=1):
        # spreadsheets carry columns of their own (remarks, numbering): only the vendor fields are read
        clean = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items() if k}
        clean = {k: v for k, v in clean.items() if v not in (None, "") and k in known}
        try:
            parsed.append((number, VendorCreate.model_validate(clean)))
        except ValidationError as exc:
            msgs = [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]
            errors.append(ImportRowError(row=number, errors=msgs))
    seen: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for number, vendor_in in parsed:
        if vendor_in.credit_code in seen:
            errors.append(
                ImportRowError(
                    row=number, errors=[_("credit_code: duplicates row {row}", row=seen[vendor_in.credit_code])]
                )
            )
        seen.setdefault(vendor_in.credit_code, number)
        if vendor_in.id and vendor_in.id in seen_ids:
            errors.append(
                ImportRowError(row=number, errors=[_("id: duplicates row {row}", row=seen_ids[vendor_in.id])])
            )
        if vendor_in.id:
            seen_ids.setdefault(vendor_in.id, number)
    taken = await repository.existing_credit_codes(session, [v.credit_code for _row, v in parsed])
    ids_taken = await repository.existing_ids(session, [v.id for _row, v in parsed if v.id])
    for number, vendor_in in parsed:
        if vendor_in.credit_code in taken:
            errors.append(
                ImportRowError(
                    row=number,
                    errors=[_("credit_code: {credit_code} already registered", credit_code=vendor_in.credit_code)],
                )
            )
        if vendor_in.id and vendor_in.id in ids_taken:
            errors.append(
                ImportRowError(row=number, errors=[_("id: {vendor_id} already exists", vendor_id=vendor_in.id)])
            )
    if not rows:
        errors.append(ImportRowError(row=0, errors=[_("the file has no data rows")]))
    if errors:
        errors.sort(key=lambda e: e.row)
        result = VendorImportResult(imported=0, errors=errors)
        raise UnprocessableEntity(
            _("{count} row(s) refused; nothing was imported", count=len(errors)), **result.model_dump(mode="json")
        )
    for _row, vendor_in in parsed:
        await create(session, vendor_in=vendor_in, actor=actor)
    return VendorImportResult(imported=len(parsed))


async def exclusion_grounds(
    session: AsyncSession, *, vendor: Vendor | VendorRead, today: date | None = None, as_of: date | None = None
) -> list[Text]:
    """The exclusion grounds of ``vendor`` (as already loaded) today, or in force on ``as_of`` (vetoes recorded
    by the end of that office day and not lifted before it; the legal status recorded by then; qualifications
    on that day)."""
    vendor_id = vendor.id
    legal_status = vendor.legal_status
    if as_of is None:
        vetoes, _ = await repository.vetoes(session, vendor_id, active=True)
    else:
        end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=clock.office_tz())
        every, _ = await repository.vetoes(session, vendor_id)
        vetoes = [v for v in every if v.recorded_at < end and (v.lifted_at is None or v.lifted_at >= end)]
        legal_status = await repository.legal_status_before(session, vendor_id, end) or legal_status
        today = as_of
    quals = await repository.qualifications(session, vendor_id)
    return exclusion_reasons(
        legal_status=legal_status,
        vetoes=[VetoFact(v.ground, v.evidence, v.lifted_at is not None) for v in vetoes],
        qualifications=[QualificationFact(q.kind, q.number, q.mandatory, q.valid_to) for q in quals],
        today=today or clock.today(),
    )


async def lapsing_before(session: AsyncSession, *, vendor_id: str, term_start: date) -> list[Text]:
    """The vendor's mandatory qualifications valid today that lapse before ``term_start``."""
    quals = await repository.qualifications(session, vendor_id)
    return lapsing_qualifications(
        [QualificationFact(q.kind, q.number, q.mandatory, q.valid_to) for q in quals],
        today=clock.today(),
        term_start=term_start,
    )


async def eligibility(
    session: AsyncSession, *, vendor: Vendor | VendorRead, today: date | None = None, as_of: date | None = None
) -> Eligibility:
    """:func:`exclusion_grounds` in the reader's language."""
    grounds = await exclusion_grounds(session, vendor=vendor, today=today, as_of=as_of)
    return Eligibility(vendor_id=vendor.id, eligible=not grounds, reasons=[g.render() for g in grounds])


async def require_eligible(session: AsyncSession, *, vendor_id: str, action: str) -> None:
    """409 naming every ground when the vendor may not be awarded, renewed or signed."""
    verdict = await eligibility(session, vendor=await load(session, vendor_id=vendor_id))
    if not verdict.eligible:
        raise Conflict(
            _(
                "cannot {action}: vendor {vendor_id} is not eligible: {reasons}",
                action=action,
                vendor_id=vendor_id,
                reasons="; ".join(verdict.reasons),
            ),
            reasons=verdict.reasons,
        )


async def _add_to_vendor(
    session: AsyncSession, record_: R, *, vendor_id: str, action: str, record_in: BaseModel, actor: str
) -> R:
    """Insert a record of an existing vendor with its audit entry (the request's data as the details)."""
    await load(session, vendor_id=vendor_id)
    return await audit.add_recorded(
        session,
        record_,
        actor=actor,
        action=action,
        entity_type="vendor",
        entity_id=vendor_id,
        data=record_in.model_dump(mode="json"),
    )


async def add_qualification(
    session: AsyncSession, *, vendor_id: str, qualification_in: QualificationCreate, actor: str
) -> Qualification:
    record_ = Qualification(vendor_id=vendor_id, **qualification_in.model_dump())
    return await _add_to_vendor(
        session, record_, vendor_id=vendor_id, action="qualification.create", record_in=qualification_in, actor=actor
    )


async def add_credit_record(
    session: AsyncSession, *, vendor_id: str, record_in: CreditRecordCreate, actor: str
) -> CreditRecord:
    record_ = CreditRecord(vendor_id=vendor_id, recorded_by=actor, **record_in.model_dump())
    return await _add_to_vendor(
        session, record_, vendor_id=vendor_id, action="credit_record.create", record_in=record_in, actor=actor
    )


async def add_due_diligence(
    session: AsyncSession, *, vendor_id: str, review_in: DueDiligenceCreate, actor: str
) -> DueDiligence:
    record_ = DueDiligence(vendor_id=vendor_id, reviewer=actor, **review_in.model_dump())
    return await _add_to_vendor(
        session, record_, vendor_id=vendor_id, action="due_diligence.create", record_in=review_in, actor=actor
    )


async def record_veto(session: AsyncSession, *, vendor_id: str, veto_in: VetoCreate, actor: str) -> Veto:
    await load(session, vendor_id=vendor_id)
    veto = Veto(vendor_id=vendor_id, recorded_by=actor, **veto_in.model_dump())
    session.add(veto)
    await session.flush()
    await session.refresh(veto)
    # the audit data names the veto's id, known only after the insert: not add_recorded's shape
    await audit.record(
        session,
        actor=actor,
        action="veto.record",
        entity_type="vendor",
        entity_id=vendor_id,
        data={"veto_id": veto.id, **veto_in.model_dump(mode="json")},
    )
    return veto


async def lift_veto(session: AsyncSession, *, vendor_id: str, veto_id: str, lift_in: VetoLift, actor: str) -> Veto:
    veto = await repository.get_veto(session, veto_id)
    if veto is None or veto.vendor_id != vendor_id:
        raise NotFound(_("veto {veto_id} of vendor {vendor_id} not found", veto_id=veto_id, vendor_id=vendor_id))
    if veto.lifted_at is not None:
        raise Conflict(
            _("veto {veto_id} was already lifted on {lifted_at}", veto_id=veto_id, lifted_at=veto.lifted_at.isoformat())
        )
    veto.lifted_at = clock.now()
    veto.lifted_by = actor
    veto.lift_reason = lift_in.reason
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="veto.lift",
        entity_type="vendor",
        entity_id=vendor_id,
        comment=lift_in.reason,
        data={"veto_id": veto.id},
    )
    return veto
