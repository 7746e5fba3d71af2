"""Canteen business: record purchases and covers (refused in a signed-off month), settle a month, sign it
off, correct it as a new version; the price-tier availability beside the canteen's survey results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.canteen import repository, rules
from appraisal.canteen.rules import CanteenRuleError, SettlementStatus
from appraisal.canteen.schemas import (
    CanteenOverview,
    CorrectionCreate,
    CoversCreate,
    PurchaseCreate,
    PurchaseRead,
    SettlementCreate,
    SettlementRead,
    TierAvailability,
)
from appraisal.models import CanteenCovers, CanteenPurchase, CanteenSettlement
from appraisal.names import NameDirectory
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.auth import Principal
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.i18n import _


async def _lock_month(session: AsyncSession, canteen: str, month: str) -> None:
    """Serialises writes to one canteen-month against its sign-off (a purchase never slips past it)."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"canteen:{canteen}:{month}"))))


async def _refuse_settled(session: AsyncSession, canteen: str, day: date) -> None:
    month = rules.month_of(day)
    await _lock_month(session, canteen, month)
    if await repository.signed_off(session, canteen, month):
        raise Conflict(
            _(
                "{month} of canteen {canteen} is settled and signed off: record a correction of the settlement instead",
                month=month,
                canteen=canteen,
            )
        )


def purchase_read(p: CanteenPurchase) -> PurchaseRead:
    return PurchaseRead(
        id=p.id,
        canteen=p.canteen,
        supplier=p.supplier,
        item=p.item,
        category=p.category,
        category_zh=rules.IngredientCategory(p.category).label_zh,
        quantity=p.quantity,
        unit=p.unit,
        unit_price=p.unit_price,
        amount=p.amount,
        purchased_on=p.purchased_on,
        accepted=p.accepted,
        checks=p.checks,
        rejection_reason=p.rejection_reason,
        recorded_by=p.recorded_by,
    )


async def record_purchase(
    session: AsyncSession, *, purchase_in: PurchaseCreate, settings: Settings, recorder: str
) -> CanteenPurchase:
    """Record a delivery: 409 in a signed-off month; 422 for a unit mismatch or an inconsistent acceptance."""
    await _refuse_settled(session, purchase_in.canteen, purchase_in.purchased_on)
    try:
        rules.check_unit(
            purchase_in.item,
            purchase_in.unit,
            await repository.known_unit(session, purchase_in.canteen, purchase_in.item),
            settings.canteen_units,
        )
        rules.acceptance(
            {c.check.value: c.passed for c in purchase_in.checks}, purchase_in.accepted, purchase_in.rejection_reason
        )
    except CanteenRuleError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    purchase = CanteenPurchase(
        canteen=purchase_in.canteen,
        supplier=purchase_in.supplier,
        item=purchase_in.item,
        category=purchase_in.category.value,
        quantity=purchase_in.quantity,
        unit=purchase_in.unit,
        unit_price=purchase_in.unit_price,
        amount=rules.amount(purchase_in.quantity, purchase_in.unit_price),
        purchased_on=purchase_in.purchased_on,
        accepted=purchase_in.accepted,
        checks=[c.model_dump(mode="json") for c in purchase_in.checks],
        rejection_reason=purchase_in.rejection_reason if not purchase_in.accepted else None,
        recorded_by=recorder,
    )
    session.add(purchase)
    await session.flush()
    return purchase


async def record_covers(
    session: AsyncSession, *, covers_in: CoversCreate, settings: Settings, recorder: str
) -> CanteenCovers:
    """Record one meal's covers and takings in one tier: 409 in a signed-off month or when already recorded."""
    await _refuse_settled(session, covers_in.canteen, covers_in.served_on)
    try:
        tier = rules.tier_of(covers_in.tier, settings.canteen_price_tiers)
        rules.check_tier_price(tier, covers_in.covers, covers_in.takings)
    except CanteenRuleError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    row = CanteenCovers(
        canteen=covers_in.canteen,
        served_on=covers_in.served_on,
        meal=covers_in.meal.value,
        tier=covers_in.tier,
        covers=covers_in.covers,
        takings=covers_in.takings,
        recorded_by=recorder,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            _(
                "the covers of {meal} on {day} in tier {tier} are already recorded",
                meal=covers_in.meal.label_zh,
                day=covers_in.served_on,
                tier=covers_in.tier,
            )
        ) from exc
    return row


async def list_purchases(
    session: AsyncSession, *, canteen: str, month: str, limit: int, offset: int
) -> tuple[list[CanteenPurchase], int]:
    start, end = _bounds(month)
    return await repository.purchases(session, canteen, start, end, limit=limit, offset=offset)


async def list_covers(session: AsyncSession, *, canteen: str, month: str) -> list[CanteenCovers]:
    start, end = _bounds(month)
    return await repository.covers(session, canteen, start, end)


def _bounds(month: str) -> tuple[date, date]:
    try:
        return rules.month_bounds(month)
    except CanteenRuleError as exc:
        raise UnprocessableEntity(str(exc)) from exc


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


async def _compute(
    session: AsyncSession,
    canteen: str,
    month: str,
    *,
    catering_fee: Decimal,
    ingredient_adjustment: Decimal,
    takings_adjustment: Decimal,
) -> rules.Settlement:
    start, end = _bounds(month)
    bought, _total = await repository.purchases(session, canteen, start, end)
    served = await repository.covers(session, canteen, start, end)
    try:
        return rules.settle(
            (rules.PurchaseLine(p.category, p.amount, p.accepted) for p in bought),
            (rules.CoversLine(c.meal, c.tier, c.covers, c.takings) for c in served),
            catering_fee=catering_fee,
            ingredient_adjustment=ingredient_adjustment,
            takings_adjustment=takings_adjustment,
        )
    except CanteenRuleError as exc:
        raise UnprocessableEntity(str(exc)) from exc


def apply_figures(row: CanteenSettlement, figures: rules.Settlement) -> None:
    """Lay the computed figures out on the settlement row (its columns and its ``figures`` JSON)."""
    row.catering_fee = figures.catering_fee
    row.ingredient_cost = figures.ingredient_cost
    row.takings = figures.takings
    row.covers = figures.covers
    row.surplus = figures.surplus
    row.figures = _json(
        {
            "ingredient_adjustment": figures.ingredient_adjustment,
            "takings_adjustment": figures.takings_adjustment,
            "total_cost": figures.total_cost,
            "cost_per_cover": figures.cost_per_cover,
            "ingredient_cost_per_cover": figures.ingredient_cost_per_cover,
            "ingredient_cost_ratio": figures.ingredient_cost_ratio,
            "rejected_deliveries": figures.rejected_deliveries,
            "rejected_amount": figures.rejected_amount,
            "by_category": figures.by_category,
            "by_tier": figures.by_tier,
            "by_meal": figures.by_meal,
        }
    )


def to_read(row: CanteenSettlement, vendor_name: str | None = None) -> SettlementRead:
    f = row.figures
    status = SettlementStatus(row.status)
    return SettlementRead(
        id=row.id,
        canteen=row.canteen,
        month=row.month,
        version=row.version,
        status=status,
        status_zh=status.label_zh,
        catering_vendor_id=row.catering_vendor_id,
        catering_vendor_name=vendor_name,
        ingredient_cost=row.ingredient_cost,
        ingredient_adjustment=Decimal(f["ingredient_adjustment"]),
        takings=row.takings,
        takings_adjustment=Decimal(f["takings_adjustment"]),
        catering_fee=row.catering_fee,
        fee_source=row.fee_source,
        total_cost=Decimal(f["total_cost"]),
        covers=row.covers,
        cost_per_cover=f["cost_per_cover"],
        ingredient_cost_per_cover=f["ingredient_cost_per_cover"],
        ingredient_cost_ratio=f["ingredient_cost_ratio"],
        surplus=row.surplus,
        rejected_deliveries=f["rejected_deliveries"],
        rejected_amount=Decimal(f["rejected_amount"]),
        by_category=f["by_category"],
        by_tier=f["by_tier"],
        by_meal=f["by_meal"],
        corrects_version=row.corrects_version,
        correction_reason=row.correction_reason,
        prepared_by=row.prepared_by,
        signed_off_by=row.signed_off_by,
        signed_off_at=row.signed_off_at,
    )


async def prepare(session: AsyncSession, *, settlement_in: SettlementCreate, preparer: str) -> CanteenSettlement:
    """Compute the month's draft settlement (recomputed when a draft exists); 409 once signed off."""
    canteen, month = settlement_in.canteen, settlement_in.month
    await _lock_month(session, canteen, month)
    existing = await repository.versions(session, canteen, month, lock=True)
    if any(v.status == SettlementStatus.signed_off for v in existing):
        raise Conflict(
            _("{month} of canteen {canteen} is signed off: correct it as a new version", month=month, canteen=canteen)
        )
    figures = await _compute(
        session,
        canteen,
        month,
        catering_fee=settlement_in.catering_fee,
        ingredient_adjustment=Decimal(0),
        takings_adjustment=Decimal(0),
    )
    row = existing[-1] if existing else CanteenSettlement(canteen=canteen, month=month, version=1)
    row.status = SettlementStatus.draft.value
    row.catering_vendor_id = settlement_in.catering_vendor_id
    row.fee_source = settlement_in.fee_source
    row.prepared_by = preparer
    apply_figures(row, figures)
    if not existing:
        session.add(row)
    await session.flush()
    return row


async def get_visible(session: AsyncSession, *, settlement_id: str, principal: Principal) -> CanteenSettlement:
    """A settlement; the catering vendor sees only its own (404 otherwise)."""
    row = await repository.get_settlement(session, settlement_id)
    if row is None or (principal.is_vendor_only and row.catering_vendor_id != principal.vendor_id):
        raise NotFound(_("settlement {settlement_id} not found", settlement_id=settlement_id))
    return row


async def sign_off(session: AsyncSession, *, settlement_id: str, principal: Principal) -> CanteenSettlement:
    """Recompute the draft from the month's lines and lock it: the month then refuses new records."""
    row = await get_visible(session, settlement_id=settlement_id, principal=principal)
    await _lock_month(session, row.canteen, row.month)
    await session.refresh(row, with_for_update=True)
    if row.status != SettlementStatus.draft:
        raise Conflict(_("settlement version {version} is already signed off", version=row.version))
    figures = await _compute(
        session,
        row.canteen,
        row.month,
        catering_fee=row.catering_fee,
        ingredient_adjustment=Decimal(row.figures["ingredient_adjustment"]),
        takings_adjustment=Decimal(row.figures["takings_adjustment"]),
    )
    apply_figures(row, figures)
    row.status = SettlementStatus.signed_off.value
    row.signed_off_by = principal.subject
    row.signed_off_at = clock.now()
    await session.flush()
    return row


async def correct(
    session: AsyncSession, *, settlement_id: str, correction_in: CorrectionCreate, principal: Principal
) -> CanteenSettlement:
    """A correction of the latest signed-off version: a new, signed-off version (the old one stays)."""
    row = await get_visible(session, settlement_id=settlement_id, principal=principal)
    await _lock_month(session, row.canteen, row.month)
    versions = await repository.versions(session, row.canteen, row.month, lock=True)
    latest = versions[-1]
    if latest.id != row.id:
        raise Conflict(_("only the latest version ({version}) may be corrected", version=latest.version))
    if row.status != SettlementStatus.signed_off:
        raise Conflict(_("a draft is recomputed, not corrected: sign it off first"))
    fee = correction_in.catering_fee if correction_in.catering_fee is not None else row.catering_fee
    figures = await _compute(
        session,
        row.canteen,
        row.month,
        catering_fee=fee,
        ingredient_adjustment=correction_in.ingredient_adjustment
        if correction_in.ingredient_adjustment is not None
        else Decimal(row.figures["ingredient_adjustment"]),
        takings_adjustment=correction_in.takings_adjustment
        if correction_in.takings_adjustment is not None
        else Decimal(row.figures["takings_adjustment"]),
    )
    new = CanteenSettlement(
        canteen=row.canteen,
        month=row.month,
        version=row.version + 1,
        status=SettlementStatus.signed_off.value,
        catering_vendor_id=row.catering_vendor_id,
        fee_source=correction_in.fee_source or row.fee_source,
        corrects_version=row.version,
        correction_reason=correction_in.reason,
        prepared_by=principal.subject,
        signed_off_by=principal.subject,
        signed_off_at=clock.now(),
    )
    apply_figures(new, figures)
    session.add(new)
    await session.flush()
    return new


async def list_settlements(
    session: AsyncSession,
    *,
    canteen: str | None,
    month: str | None,
    vendor_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[CanteenSettlement], int]:
    return await repository.list_settlements(
        session, canteen=canteen, month=month, vendor_id=vendor_id, limit=limit, offset=offset
    )


async def vendor_names(directory: NameDirectory | None, rows: list[CanteenSettlement]) -> dict[str, str | None]:
    ids = {r.catering_vendor_id for r in rows if r.catering_vendor_id}
    if directory is None or not ids:
        return {}
    names = await directory.resolve(ids, ())
    return {v: names.vendor_name(v) for v in ids}


async def overview(
    session: AsyncSession, *, canteen: str, start: date, end: date, settings: Settings
) -> CanteenOverview:
    """Price-tier availability (days offered ÷ days served, share of covers, average price) beside the
    satisfaction survey answers on the canteen's project items whose campaigns closed in the range."""
    if end <= start:
        raise UnprocessableEntity(_("the end must be after the start"))
    served = await repository.covers(session, canteen, start, end)
    days = {c.served_on for c in served if c.covers > 0}
    total = sum(c.covers for c in served)
    tiers: list[TierAvailability] = []
    for tier in settings.canteen_price_tiers:
        rows = [c for c in served if c.tier == tier.code]
        covers = sum(c.covers for c in rows)
        takings = sum((c.takings for c in rows), Decimal(0))
        offered = {c.served_on for c in rows if c.covers > 0}
        tiers.append(
            TierAvailability(
                code=tier.code,
                label_zh=tier.label_zh,
                min_price=tier.min_price,
                max_price=tier.max_price,
                days_served=len(days),
                days_offered=len(offered),
                availability=round(len(offered) / len(days), 4) if days else None,
                covers=covers,
                share_of_covers=round(covers / total, 4) if total else None,
                average_price=(takings / covers).quantize(rules.CENT) if covers else None,
            )
        )
    grades, periods = await repository.survey_grades(session, settings.canteen_project, start, end)
    graded = sum(n for g, n in grades.items() if g != "n/a")
    good = grades.get("excellent", 0) + grades.get("good", 0)
    return CanteenOverview(
        canteen=canteen,
        start=start,
        end=end,
        tiers=tiers,
        survey_grades=grades,
        satisfaction=round(good / graded, 4) if graded else None,
        survey_periods=periods,
    )
