from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api import audit
from contracts_api.models import CreditRecord, DueDiligence, Qualification, Vendor, Veto
from contracts_api.vendors import repository
from contracts_api.vendors.rules import QualificationFact, VetoFact, exclusion_reasons
from contracts_api.vendors.schemas import (
    CreditRecordCreate,
    DueDiligenceCreate,
    ImportRowError,
    QualificationCreate,
    VendorCreate,
    VendorImportResult,
    VendorUpdate,
    VetoCreate,
    VetoLift,
)
from houqin_common import clock
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.schemas import Eligibility


async def create(session: AsyncSession, *, vendor_in: VendorCreate, actor: str) -> Vendor:
    if await repository.get_by_credit_code(session, vendor_in.credit_code):
        raise Conflict(f"a vendor with credit code {vendor_in.credit_code} already exists")
    if vendor_in.id and await repository.get(session, vendor_in.id):
        raise Conflict(f"a vendor with id {vendor_in.id} already exists")
    data = vendor_in.model_dump(exclude_none=True)
    vendor = Vendor(**data)
    try:
        async with session.begin_nested():
            session.add(vendor)
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same code or id won the race
        raise Conflict(
            f"a vendor with credit code {vendor_in.credit_code} or id {vendor_in.id} already exists"
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


async def get(session: AsyncSession, *, vendor_id: str, scope: str | None = None) -> Vendor:
    """The vendor; 404 also when ``scope`` (a vendor token's own id) is another vendor."""
    vendor = None if scope is not None and scope != vendor_id else await repository.get(session, vendor_id)
    if vendor is None:
        raise NotFound(f"vendor {vendor_id} not found")
    return vendor


async def update(session: AsyncSession, *, vendor_id: str, vendor_in: VendorUpdate, actor: str) -> Vendor:
    vendor = await get(session, vendor_id=vendor_id)
    changes = vendor_in.model_dump(exclude_unset=True)
    # name and legal status are required columns: an explicit null leaves them unchanged
    changes = {k: v for k, v in changes.items() if v is not None or k not in ("name", "legal_status")}
    for key, value in changes.items():
        setattr(vendor, key, value)
    await session.flush()
    await session.refresh(vendor)
    await audit.record(
        session,
        actor=actor,
        action="vendor.update",
        entity_type="vendor",
        entity_id=vendor.id,
        data=vendor_in.model_dump(mode="json", exclude_unset=True),
    )
    return vendor


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
                ImportRowError(row=number, errors=[f"credit_code: duplicates row {seen[vendor_in.credit_code]}"])
            )
        seen.setdefault(vendor_in.credit_code, number)
        if vendor_in.id and vendor_in.id in seen_ids:
            errors.append(ImportRowError(row=number, errors=[f"id: duplicates row {seen_ids[vendor_in.id]}"]))
        if vendor_in.id:
            seen_ids.setdefault(vendor_in.id, number)
    taken = await repository.existing_credit_codes(session, [v.credit_code for _, v in parsed])
    ids_taken = await repository.existing_ids(session, [v.id for _, v in parsed if v.id])
    for number, vendor_in in parsed:
        if vendor_in.credit_code in taken:
            errors.append(
                ImportRowError(row=number, errors=[f"credit_code: {vendor_in.credit_code} already registered"])
            )
        if vendor_in.id and vendor_in.id in ids_taken:
            errors.append(ImportRowError(row=number, errors=[f"id: {vendor_in.id} already exists"]))
    if not rows:
        errors.append(ImportRowError(row=0, errors=["the file has no data rows"]))
    if errors:
        errors.sort(key=lambda e: e.row)
        result = VendorImportResult(imported=0, errors=errors)
        raise UnprocessableEntity(
            f"{len(errors)} row(s) refused; nothing was imported", **result.model_dump(mode="json")
        )
    for _, vendor_in in parsed:
        await create(session, vendor_in=vendor_in, actor=actor)
    return VendorImportResult(imported=len(parsed))


async def eligibility(session: AsyncSession, *, vendor_id: str, today: date | None = None) -> Eligibility:
    vendor = await get(session, vendor_id=vendor_id)
    vetoes, _ = await repository.vetoes(session, vendor_id, active=True)
    quals = await repository.qualifications(session, vendor_id)
    reasons = exclusion_reasons(
        legal_status=vendor.legal_status,
        vetoes=[VetoFact(v.ground, v.evidence, v.lifted_at is not None) for v in vetoes],
        qualifications=[QualificationFact(q.kind, q.number, q.mandatory, q.valid_to) for q in quals],
        today=today or clock.today(),
    )
    return Eligibility(vendor_id=vendor_id, eligible=not reasons, reasons=reasons)


async def require_eligible(session: AsyncSession, *, vendor_id: str, action: str) -> None:
    """409 naming every ground when the vendor may not be awarded, renewed or signed."""
    verdict = await eligibility(session, vendor_id=vendor_id)
    if not verdict.eligible:
        raise Conflict(
            f"cannot {action}: vendor {vendor_id} is not eligible: " + "; ".join(verdict.reasons),
            reasons=verdict.reasons,
        )


async def add_qualification(
    session: AsyncSession, *, vendor_id: str, qualification_in: QualificationCreate, actor: str
) -> Qualification:
    await get(session, vendor_id=vendor_id)
    return await audit.add_recorded(
        session,
        Qualification(vendor_id=vendor_id, **qualification_in.model_dump()),
        actor=actor,
        action="qualification.create",
        entity_type="vendor",
        entity_id=vendor_id,
        data=qualification_in.model_dump(mode="json"),
    )


async def add_credit_record(
    session: AsyncSession, *, vendor_id: str, record_in: CreditRecordCreate, actor: str
) -> CreditRecord:
    await get(session, vendor_id=vendor_id)
    return await audit.add_recorded(
        session,
        CreditRecord(vendor_id=vendor_id, recorded_by=actor, **record_in.model_dump()),
        actor=actor,
        action="credit_record.create",
        entity_type="vendor",
        entity_id=vendor_id,
        data=record_in.model_dump(mode="json"),
    )


async def add_due_diligence(
    session: AsyncSession, *, vendor_id: str, review_in: DueDiligenceCreate, actor: str
) -> DueDiligence:
    await get(session, vendor_id=vendor_id)
    return await audit.add_recorded(
        session,
        DueDiligence(vendor_id=vendor_id, reviewer=actor, **review_in.model_dump()),
        actor=actor,
        action="due_diligence.create",
        entity_type="vendor",
        entity_id=vendor_id,
        data=review_in.model_dump(mode="json"),
    )


async def record_veto(session: AsyncSession, *, vendor_id: str, veto_in: VetoCreate, actor: str) -> Veto:
    await get(session, vendor_id=vendor_id)
    veto = Veto(vendor_id=vendor_id, recorded_by=actor, **veto_in.model_dump())
    session.add(veto)
    await session.flush()
    await session.refresh(veto)
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
        raise NotFound(f"veto {veto_id} of vendor {vendor_id} not found")
    if veto.lifted_at is not None:
        raise Conflict(f"veto {veto_id} was already lifted on {veto.lifted_at.isoformat()}")
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
