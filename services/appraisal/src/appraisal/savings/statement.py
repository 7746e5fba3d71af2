"""The yearly savings statement as XLSX (one page for the leadership), in the request's language."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from appraisal.savings.schemas import SavingsStatement
from houqin_common.i18n import _


def savings_xlsx(s: SavingsStatement) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Savings {year}", year=s.year)
    ws.append([_("Savings of outsourced back-office services, {year}", year=s.year)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    head = [
        _("Project"),
        _("Basis"),
        _("Posts"),
        _("Wage per post (CNY)"),
        _("Office figure (CNY)"),
        _("Source of the office figure"),
        _("Cost before outsourcing (CNY)"),
        _("Contract cost now (CNY)"),
        _("Source of the contract cost"),
        _("Saving (CNY)"),
    ]
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for p in s.projects:
        ws.append(
            [
                p.project_name or p.project_code,
                p.basis_zh,
                p.posts,
                p.wage_per_post,
                p.office_figure,
                p.office_figure_source,
                p.cost_before,
                p.contract_cost,
                p.contract_cost_source,
                p.saving,
            ]
        )
    ws.append(
        [
            _("Projects total"),
            "",
            "",
            "",
            "",
            "",
            s.projects_cost_before,
            s.projects_contract_cost,
            "",
            s.projects_saving,
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.append([])
    ws.append([_("Shared platform"), _("Avoided cost (CNY)"), _("Source")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for pl in s.platforms:
        ws.append([pl.platform_zh, pl.avoided_cost, pl.source])
    ws.append([_("Platforms total"), s.platforms_saving])
    ws.append([])
    ws.append([_("Total saving (projects + platforms)"), s.total_cny])
    ws.append([_("Energy saving"), s.energy.saved_cny, s.energy.source])
    ws.append(
        [_("Grand total"), s.grand_total_cny, "" if s.grand_total_cny is not None else _("energy figure missing")]
    )
    for row in ws.iter_rows(min_row=ws.max_row - 2):
        row[0].font = Font(bold=True)
    ws.append([_("Produced on {day}", day=s.generated_on.isoformat())])
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column[2:]) if len(column) > 2 else 10
        ws.column_dimensions[column[0].column_letter].width = min(50, max(12, width * 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
