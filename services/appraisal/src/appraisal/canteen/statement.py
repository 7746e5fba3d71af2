"""The XLSX settlement statement (经营结算单) of a canteen month, in the request's language (zh-CN by default)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from appraisal.canteen.rules import IngredientCategory, Meal, SettlementStatus
from appraisal.canteen.schemas import SettlementRead
from appraisal.settings import PriceTier
from houqin_common import clock
from houqin_common.i18n import N_, _

STATUS_LABELS = {SettlementStatus.draft: N_("draft"), SettlementStatus.signed_off: N_("signed off")}


def _append(ws: Any, row: Sequence[object]) -> None:
    """Free text (a canteen's or supplier's name) may hold control characters XLSX cannot carry: drop them."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])


def _num(value: object) -> object:
    """Figures stored as JSON strings become numbers in the sheet."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def _autosize(ws) -> None:  # type: ignore[no-untyped-def]
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(60, max(12, width * 2))


def settlement_xlsx(s: SettlementRead, tiers: Sequence[PriceTier]) -> bytes:
    """One sheet: the totals with how each is computed, then ingredient cost by category, covers by tier and meal."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Settlement")
    _append(
        ws,
        [
            _(
                "Canteen settlement statement {month} ({canteen}), version {version}",
                month=s.month,
                canteen=s.canteen,
                version=s.version,
            )
        ],
    )
    ws["A1"].font = Font(bold=True, size=14)
    # one sentence a line, so the first table of the sheet is the one below
    status = _(STATUS_LABELS[s.status])
    if s.signed_off_at is not None:
        at = s.signed_off_at.astimezone(clock.office_tz()).strftime("%Y-%m-%d %H:%M")
        _append(
            ws, [_("Status: {status}, signed off by {by} at {at}", status=status, by=s.signed_off_by or "—", at=at)]
        )
    else:
        _append(ws, [_("Status: {status}", status=status)])
    if s.corrects_version:
        _append(
            ws,
            [
                _(
                    "Corrects version {version}: {reason}",
                    version=s.corrects_version,
                    reason=s.correction_reason or "—",
                )
            ],
        )
    _append(ws, [])
    _append(ws, [_("Item"), _("Amount (CNY)"), _("How it is computed")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    rows: list[tuple[str, object, str]] = [
        (
            _("Ingredient cost"),
            s.ingredient_cost,
            _("accepted deliveries + adjustment {adjustment}", adjustment=s.ingredient_adjustment),
        ),
        (_("Catering team's fee"), s.catering_fee, s.fee_source),
        (_("Total cost"), s.total_cost, _("ingredient cost + catering fee")),
        (
            _("Takings"),
            s.takings,
            _("takings of the covers + adjustment {adjustment}", adjustment=s.takings_adjustment),
        ),
        (_("Covers"), s.covers, _("covers of every meal and tier")),
        (_("Cost per cover"), s.cost_per_cover, _("total cost ÷ covers")),
        (_("Ingredient cost per cover"), s.ingredient_cost_per_cover, _("ingredient cost ÷ covers")),
        (_("Ingredient-cost ratio"), s.ingredient_cost_ratio, _("ingredient cost ÷ takings")),
        (_("Surplus (deficit if negative)"), s.surplus, _("takings − total cost")),
        (_("Rejected deliveries"), s.rejected_deliveries, _("{amount} CNY not paid", amount=s.rejected_amount)),
    ]
    for label, value, how in rows:
        _append(ws, [label, value, how])
    _append(ws, [])
    _append(ws, [_("Ingredient category"), _("Amount (CNY)")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for code, value in s.by_category.items():
        label = IngredientCategory(code).label_zh if code in IngredientCategory.__members__ else code
        _append(ws, [label, _num(value)])
    _append(ws, [])
    _append(ws, [_("Price tier"), _("Covers"), _("Takings (CNY)"), _("Average price (CNY)")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    labels = {t.code: t.label_zh for t in tiers}
    for code, row in s.by_tier.items():
        _append(
            ws, [labels.get(code, code), row.get("covers"), _num(row.get("takings")), _num(row.get("average_price"))]
        )
    _append(ws, [])
    _append(ws, [_("Meal"), _("Covers"), _("Takings (CNY)")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for code, row in s.by_meal.items():
        _append(
            ws, [Meal(code).label_zh if code in Meal.__members__ else code, row.get("covers"), _num(row.get("takings"))]
        )
    for row_cells in ws.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, int | Decimal):
                cell.alignment = Alignment(horizontal="right")
    _autosize(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
