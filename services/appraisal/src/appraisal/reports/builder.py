"""Report files from already computed results: CSV, XLSX (openpyxl) and charts (matplotlib, Agg).

Figures are built with the object API (no pyplot state), so they can render in a worker thread.
Every text is in the reader's language (zh-CN by default) and vendors are named by their registered
names: the charts draw with the CJK font installed with appraisal (``reports.fonts``), the spreadsheets
name the same family. Each chart and sheet states its period and its data source.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraisal.reports.fonts import XLSX_FAMILY, use_in_matplotlib
from appraisal.settings import COMPONENTS
from houqin_common.i18n import N_, _
from houqin_common.schemas import VendorScore

GRADES = ("excellent", "good", "fair", "poor", "n/a")
GRADE_HEAD = {
    "excellent": N_("excellent"),
    "good": N_("good"),
    "fair": N_("fair"),
    "poor": N_("poor"),
    "n/a": N_("not applicable"),
}
COMPONENT_HEAD = {
    "satisfaction": N_("satisfaction survey"),
    "routine": N_("routine inspections"),
    "food_safety": N_("food-safety inspections"),
    "complaints": N_("complaints and suggestions"),
    "rectification": N_("rectification"),
    "energy": N_("energy use"),
    "vehicles": N_("official vehicles"),
    "hazards": N_("hazard removal on time"),
    "conference": N_("conference centre"),
    "guidance": N_("guidance and training"),
}
SOURCE = N_(
    "Data source: Houqin appraisal (satisfaction surveys, inspections, complaints, rectification orders), "
    "energy and vehicle KPIs from telemetry-ingest, vendor names from contracts-api."
)
GRADE_COLORS = {"excellent": "#2e7d32", "good": "#8bc34a", "fair": "#ffb300", "poor": "#e53935", "n/a": "#bdbdbd"}
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(name=XLSX_FAMILY, bold=True, color="FFFFFF")
BODY_FONT = Font(name=XLSX_FAMILY)
THIN = Side(style="thin", color="BFBFBF")


@dataclass(frozen=True)
class VendorLabel:
    """A vendor's registered name and the Chinese labels of its projects."""

    name: str
    projects: str


@dataclass(frozen=True)
class GradeRow:
    """One row of a grade table: a vendor or an item, with counts per grade and the score."""

    key: str
    name: str
    detail: str
    counts: dict[str, int]
    score: float | None


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


def grade_label(g: str) -> str:
    """优/较好/一般/差 in the reader's language."""
    return _(GRADE_HEAD[g]) if g in GRADE_HEAD else g


def _component(c: str) -> str:
    return _(COMPONENT_HEAD[c]) if c in COMPONENT_HEAD else c


PROVISIONAL_RED = "#C62828"


def period_title(period: str, provisional: bool = False) -> str:
    """The report's title: annual or half-year, marked provisional (暂定) while the period is unpublished."""
    title = (
        _("Half-year appraisal of back-office vendors {period}", period=period)
        if "H" in period
        else _("Annual appraisal of back-office vendors {year}", year=period)
    )
    return f"{title} ({_('provisional')})" if provisional else title


def status_label(score: VendorScore) -> str:
    """provisional (暂定: computed now, not published) or the publication the score was read from."""
    if score.provisional or score.published_version is None:
        return _("provisional")
    return _("published (version {version})", version=score.published_version)


def ranking_rows(ranking: Sequence[VendorScore], labels: dict[str, VendorLabel]) -> list[list[object]]:
    rows: list[list[object]] = []
    for s in ranking:
        comps = {c.name: c for c in s.components}
        lab = labels.get(s.vendor_id, VendorLabel(s.vendor_id, ""))
        rows.append(
            [
                s.rank,
                lab.name,
                s.vendor_id,
                lab.projects,
                s.total,
                s.satisfaction,
                s.quality,
                *[comps[n].score if n in comps else None for n in COMPONENTS],
                _("yes") if s.complete else _("no: {missing}", missing=", ".join(_component(m) for m in s.missing)),
                status_label(s),
            ]
        )
    return rows


def ranking_head() -> list[str]:
    return [
        _("rank"),
        _("vendor"),
        _("vendor id"),
        _("service projects"),
        _("total"),
        _("satisfaction"),
        _("quality"),
        *[_component(c) for c in COMPONENTS],
        _("data complete"),
        _("status"),
    ]


def ranking_csv(ranking: Sequence[VendorScore], labels: dict[str, VendorLabel], *, provisional: bool = False) -> bytes:
    """The ranking as CSV: each row states its status; a provisional ranking also says so in its first line
    (also when it has no rows)."""
    out = io.StringIO()
    w = csv.writer(out)
    if provisional:
        w.writerow([_("provisional"), _("not published: computed now, it may still change")])
    w.writerow(ranking_head())
    for row in ranking_rows(ranking, labels):
        w.writerow(["" if v is None else (_fmt(v) if isinstance(v, float) else v) for v in row])
    # UTF-8 with BOM so that Excel opens the Chinese names correctly
    return out.getvalue().encode("utf-8-sig")


def _grade_head(key_head: str, detail_head: str) -> list[str]:
    return [key_head, _("name"), detail_head, *[grade_label(g) for g in GRADES], _("answers"), _("score")]


def grades_csv(rows: Sequence[GradeRow], key_head: str, detail_head: str) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(_grade_head(key_head, detail_head))
    for r in rows:
        counts = [r.counts.get(g, 0) for g in GRADES]
        w.writerow([r.key, r.name, r.detail, *counts, sum(r.counts.values()), _fmt(r.score)])
    return out.getvalue().encode("utf-8-sig")


def _cells(row: Sequence[object]) -> list[object]:
    """Stored free text may hold control characters that XLSX cannot carry: drop them, never fail."""
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]


def _sheet(ws: Worksheet, title: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    ws.append(_cells([title]))
    ws["A1"].font = Font(name=XLSX_FAMILY, bold=True, size=14)
    ws.append(_cells([_(SOURCE)]))
    ws.append(list(head))
    for cell in ws[3]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(_cells(row))
    for r in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in r:
            if cell.row > 3:
                cell.font = BODY_FONT
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    for i, h in enumerate(head, start=1):
        longest = max([len(str(h))] + [len(str(row[i - 1] or "")) for row in rows])
        ws.column_dimensions[get_column_letter(i)].width = min(48, max(10, longest + 2))
    ws.freeze_panes = "A4"


def _add_grade_sheet(wb: Workbook, title: str, rows: Sequence[GradeRow], key_head: str, detail_head: str) -> None:
    ws = wb.create_sheet(title[:31])
    data = [
        [r.key, r.name, r.detail, *[r.counts.get(g, 0) for g in GRADES], sum(r.counts.values()), r.score] for r in rows
    ]
    _sheet(ws, title, _grade_head(key_head, detail_head), data)
    if rows:
        last = 3 + len(rows)
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "percentStacked", 100
        chart.title = _("Grade distribution")
        chart.add_data(Reference(ws, min_col=4, max_col=8, min_row=3, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=4, max_row=last))
        chart.height, chart.width = max(7.5, 0.6 * len(rows)), 18
        ws.add_chart(chart, "L3")


def year_xlsx(
    year: str,
    ranking: Sequence[VendorScore],
    labels: dict[str, VendorLabel],
    vendor_grades: Sequence[GradeRow],
    settings_note: str,
    *,
    provisional: bool = False,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Ranking")
    rows = ranking_rows(ranking, labels)
    _sheet(ws, period_title(year, provisional), ranking_head(), rows)
    if provisional:
        ws["A1"].font = Font(name=XLSX_FAMILY, bold=True, size=14, color=PROVISIONAL_RED[1:])
    if rows:
        last = 3 + len(rows)
        ws.conditional_formatting.add(
            f"E4:E{last}",
            ColorScaleRule(
                start_type="num",
                start_value=60,
                start_color="F8696B",
                mid_type="num",
                mid_value=80,
                mid_color="FFEB84",
                end_type="num",
                end_value=100,
                end_color="63BE7B",
            ),
        )
    ws.append([])
    ws.append(_cells([settings_note]))
    breakdown = wb.create_sheet(_("Breakdown")[:31])
    brows = [
        [
            lab.name if (lab := labels.get(s.vendor_id)) else s.vendor_id,
            _component(c.name),
            c.score,
            c.weight,
            _("yes") if c.available else _("UNAVAILABLE"),
            c.note or "",
        ]
        for s in ranking
        for c in s.components
    ]
    _sheet(
        breakdown,
        _("Score components {year}", year=year) + (f" ({_('provisional')})" if provisional else ""),
        [_("vendor"), _("component"), _("score"), _("weight"), _("source read"), _("note")],
        brows,
    )
    _add_grade_sheet(wb, _("Satisfaction grades"), vendor_grades, _("vendor id"), _("service projects"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def campaign_xlsx(
    title: str, item_rows: Sequence[GradeRow], vendor_rows: Sequence[GradeRow], response_note: str
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Summary")
    ws.append(_cells([title]))
    ws["A1"].font = Font(name=XLSX_FAMILY, bold=True, size=14)
    ws.append(_cells([response_note]))
    ws.append(_cells([_(SOURCE)]))
    ws.column_dimensions["A"].width = 80
    _add_grade_sheet(wb, _("Vendors"), vendor_rows, _("vendor id"), _("service projects"))
    _add_grade_sheet(wb, _("Service items"), item_rows, _("item code"), _("service project"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _use_cjk_font() -> None:
    """Every chart of the process draws with the CJK font (set once; the same for every thread)."""
    use_in_matplotlib()


def _save(fig: Figure, fmt: str, title: str | None = None) -> bytes:
    handles = [Rectangle((0, 0), 1, 1, color=GRADE_COLORS[g]) for g in GRADES]
    fig.legend(handles, [grade_label(g) for g in GRADES], loc="outside lower right", ncols=5, frameon=False)
    buf = io.BytesIO()
    # the title also goes into the file's metadata (PNG text chunk, SVG <dc:title>): readable by machines
    fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight", metadata={"Title": title} if title else None)
    return buf.getvalue()


def _share(counts: dict[str, int], grade: str) -> float:
    total = sum(counts.values())
    return counts.get(grade, 0) / total * 100 if total else 0.0


def _grade_axes(ax: Axes, rows: Sequence[GradeRow], title: str) -> None:
    labels = [r.name for r in rows]
    left = [0.0] * len(rows)
    for g in GRADES:
        shares = [_share(r.counts, g) for r in rows]
        ax.barh(labels, shares, left=left, color=GRADE_COLORS[g], label=g, edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("share of answers (%)"))
    ax.set_title(title, loc="left", fontweight="bold")
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)


def year_chart(
    year: str,
    ranking: Sequence[VendorScore],
    labels: dict[str, VendorLabel],
    vendor_grades: Sequence[GradeRow],
    fmt: str,
    *,
    provisional: bool = False,
) -> bytes:
    scored = [s for s in ranking if s.total is not None]
    n = max(len(scored), 1)
    _use_cjk_font()
    fig = Figure(figsize=(16, max(4.5, 0.38 * n + 2)), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.1, 1])
    names = [f"{s.rank}. {labels[s.vendor_id].name if s.vendor_id in labels else s.vendor_id[:8]}" for s in scored]
    totals = [s.total or 0.0 for s in scored]
    colors = ["#1f3864" if s.complete else "#9e9e9e" for s in scored]
    bars = ax1.barh(names, totals, color=colors)
    ax1.bar_label(
        bars,
        labels=[f"{t:.1f}" + ("" if s.complete else " *") for t, s in zip(totals, scored, strict=True)],
        padding=3,
        fontsize=8,
    )
    ax1.set_xlim(0, 108)
    ax1.invert_yaxis()
    ax1.set_xlabel(_("total score (0-100)"))
    ax1.set_title(_("Vendor ranking {year}", year=year), loc="left", fontweight="bold")
    ax1.spines[["top", "right"]].set_visible(False)
    if any(not s.complete for s in scored):
        ax1.text(0, -0.08, _("* provisional: a KPI source was unavailable"), transform=ax1.transAxes, fontsize=8)
    if not scored:
        ax1.text(0.5, 0.5, _("no scores for the period"), ha="center", transform=ax1.transAxes)
    _grade_axes(ax2, vendor_grades, _("Satisfaction grades {year}", year=year))
    title = period_title(year, provisional)
    fig.suptitle(
        title, fontsize=13, fontweight="bold", x=0.01, ha="left", color=PROVISIONAL_RED if provisional else "black"
    )
    if provisional:
        # a provisional ranking must not pass for the published one, even cropped: a watermark over both panels
        fig.text(
            0.5,
            0.5,
            _("provisional"),
            fontsize=72,
            color=PROVISIONAL_RED,
            alpha=0.15,
            rotation=25,
            ha="center",
            va="center",
            fontweight="bold",
        )
    fig.text(0.01, 0.0, _("Period: {period}. ", period=year) + _(SOURCE), fontsize=8, color="#555555")
    return _save(fig, fmt, title)


def campaign_chart(
    title: str, note: str, vendor_rows: Sequence[GradeRow], item_rows: Sequence[GradeRow], fmt: str
) -> bytes:
    rows = max(len(vendor_rows), len(item_rows), 1)
    _use_cjk_font()
    fig = Figure(figsize=(16, max(4.5, 0.3 * rows + 2)), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    _grade_axes(ax1, vendor_rows, _("Grades by vendor"))
    _grade_axes(ax2, item_rows, _("Grades by service item"))
    fig.suptitle(title, fontsize=13, fontweight="bold", x=0.01, ha="left")
    fig.text(0.01, 0.0, note + " " + _(SOURCE), fontsize=8, color="#555555")
    return _save(fig, fmt)
