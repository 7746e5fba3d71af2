"""The hazard counts of a year or half-year as XLSX and a chart (from :func:`hazards.service.stats`)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Font

from appraisal.hazards.rules import HazardCategory, HazardStatus
from appraisal.hazards.schemas import HazardStats
from appraisal.reports.fonts import XLSX_FAMILY, use_in_matplotlib
from houqin_common.i18n import _


def _matrix(stats: HazardStats) -> dict[tuple[str, str], int]:
    return {(c.category.value, c.status.value): c.count for c in stats.counts}


def xlsx(stats: HazardStats) -> bytes:
    """One sheet: a row per category, a column per status, totals."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("hazards")[:31]
    font = Font(name=XLSX_FAMILY)
    ws.append([stats.title])
    ws.append([_("category"), *(s.label_zh for s in HazardStatus), _("total")])
    m = _matrix(stats)
    for c in HazardCategory:
        row = [m.get((c.value, s.value), 0) for s in HazardStatus]
        ws.append([c.label_zh, *row, sum(row)])
    totals = [sum(m.get((c.value, s.value), 0) for c in HazardCategory) for s in HazardStatus]
    ws.append([_("total"), *totals, sum(totals)])
    ws.append([])
    ws.append([_("found"), stats.found])
    ws.append([_("removed"), stats.removed])
    ws.append([_("removal verified"), stats.verified])
    ws.append([_("late or overdue"), stats.late])
    for row in ws.iter_rows():
        for cell in row:
            cell.font = font
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def chart(stats: HazardStats, fmt: str = "png") -> bytes:
    """Stacked bars: hazards per category, stacked by status."""
    use_in_matplotlib()
    m = _matrix(stats)
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    labels = [c.label_zh for c in HazardCategory]
    bottom = [0] * len(labels)
    for s in HazardStatus:
        values = [m.get((c.value, s.value), 0) for c in HazardCategory]
        ax.bar(labels, values, bottom=bottom, label=s.label_zh)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(stats.title)
    ax.set_ylabel(_("hazards"))
    ax.legend(frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=120)
    return buf.getvalue()


MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "svg": "image/svg+xml",
}
