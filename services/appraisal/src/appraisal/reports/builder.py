"""Report files from already computed results: CSV, XLSX (openpyxl) and charts (matplotlib, Agg).

Figures are built with the object API (no pyplot state), so they can render in a worker thread.
Charts use English labels (vendors by project name): no CJK font can be assumed on a server, and a
chart of empty boxes is worse than an English one. The spreadsheets carry the Chinese names.
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

from appraisal.settings import COMPONENTS
from houqin_common.schemas import VendorScore

GRADES = ("excellent", "good", "fair", "poor", "n/a")
GRADE_HEAD = {
    "excellent": "优 excellent",
    "good": "较好 good",
    "fair": "一般 fair",
    "poor": "差 poor",
    "n/a": "不适用 n/a",
}
GRADE_COLORS = {"excellent": "#2e7d32", "good": "#8bc34a", "fair": "#ffb300", "poor": "#e53935", "n/a": "#bdbdbd"}
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")


@dataclass(frozen=True)
class VendorLabel:
    name: str
    label_en: str


@dataclass(frozen=True)
class GradeRow:
    """One row of a grade table: a vendor or an item, with counts per grade and the score."""

    key: str
    name: str
    label_en: str
    counts: dict[str, int]
    score: float | None


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


def ranking_rows(ranking: Sequence[VendorScore], labels: dict[str, VendorLabel]) -> list[list[object]]:
    rows: list[list[object]] = []
    for s in ranking:
        comps = {c.name: c for c in s.components}
        lab = labels.get(s.vendor_id, VendorLabel(s.vendor_id, s.vendor_id[:8]))
        rows.append(
            [
                s.rank,
                lab.name,
                s.vendor_id,
                s.total,
                s.satisfaction,
                s.quality,
                *[comps[n].score if n in comps else None for n in COMPONENTS],
                "yes" if s.complete else "no: " + ", ".join(s.missing),
            ]
        )
    return rows


RANKING_HEAD = [
    "rank 排名",
    "vendor 供应商",
    "vendor id",
    "total 总分",
    "satisfaction 满意度",
    "quality 质量",
    *COMPONENTS,
    "complete 数据完整",
]


def ranking_csv(ranking: Sequence[VendorScore], labels: dict[str, VendorLabel]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(RANKING_HEAD)
    for row in ranking_rows(ranking, labels):
        w.writerow(["" if v is None else (_fmt(v) if isinstance(v, float) else v) for v in row])
    # UTF-8 with BOM so that Excel opens the Chinese names correctly
    return out.getvalue().encode("utf-8-sig")


def grades_csv(rows: Sequence[GradeRow], key_head: str) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([key_head, "name", *[GRADE_HEAD[g] for g in GRADES], "answers", "score 得分"])
    for r in rows:
        w.writerow([r.key, r.name, *[r.counts.get(g, 0) for g in GRADES], sum(r.counts.values()), _fmt(r.score)])
    return out.getvalue().encode("utf-8-sig")


def _cells(row: Sequence[object]) -> list[object]:
    """Stored free text may hold control characters that XLSX cannot carry: drop them, never fail."""
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]


def _sheet(ws: Worksheet, title: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    ws.append(_cells([title]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(list(head))
    for cell in ws[3]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(_cells(row))
    for r in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in r:
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    for i, h in enumerate(head, start=1):
        longest = max([len(str(h))] + [len(str(row[i - 1] or "")) for row in rows])
        ws.column_dimensions[get_column_letter(i)].width = min(48, max(10, longest + 2))
    ws.freeze_panes = "A4"


def _add_grade_sheet(wb: Workbook, title: str, rows: Sequence[GradeRow], key_head: str) -> None:
    ws = wb.create_sheet(title[:31])
    data = [[r.key, r.name, *[r.counts.get(g, 0) for g in GRADES], sum(r.counts.values()), r.score] for r in rows]
    _sheet(ws, title, [key_head, "name 名称", *[GRADE_HEAD[g] for g in GRADES], "answers", "score 得分"], data)
    if rows:
        last = 3 + len(rows)
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "percentStacked", 100
        chart.title = "Grade distribution"
        chart.add_data(Reference(ws, min_col=3, max_col=7, min_row=3, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=4, max_row=last))
        chart.height, chart.width = max(7.5, 0.6 * len(rows)), 18
        ws.add_chart(chart, "K3")


def year_xlsx(
    year: str,
    ranking: Sequence[VendorScore],
    labels: dict[str, VendorLabel],
    vendor_grades: Sequence[GradeRow],
    settings_note: str,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Ranking 排名"
    rows = ranking_rows(ranking, labels)
    _sheet(ws, f"{year} 年度后勤服务考核排名 — Annual vendor appraisal {year}", RANKING_HEAD, rows)
    if rows:
        last = 3 + len(rows)
        ws.conditional_formatting.add(
            f"D4:D{last}",
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
    breakdown = wb.create_sheet("Breakdown 明细")
    brows = [
        [
            lab.name if (lab := labels.get(s.vendor_id)) else s.vendor_id,
            c.name,
            c.score,
            c.weight,
            "yes" if c.available else "UNAVAILABLE",
            c.note or "",
        ]
        for s in ranking
        for c in s.components
    ]
    _sheet(
        breakdown,
        "Score components 分项得分",
        ["vendor 供应商", "component", "score", "weight", "source", "note"],
        brows,
    )
    _add_grade_sheet(wb, "Grades 满意度等级", vendor_grades, "vendor id")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def campaign_xlsx(
    title: str, item_rows: Sequence[GradeRow], vendor_rows: Sequence[GradeRow], response_note: str
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Summary 概况"
    ws.append(_cells([title]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(_cells([response_note]))
    ws.column_dimensions["A"].width = 80
    _add_grade_sheet(wb, "Vendors 供应商", vendor_rows, "vendor id")
    _add_grade_sheet(wb, "Items 服务项目", item_rows, "item code")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _save(fig: Figure, fmt: str) -> bytes:
    handles = [Rectangle((0, 0), 1, 1, color=GRADE_COLORS[g]) for g in GRADES]
    fig.legend(
        handles, [GRADE_HEAD[g].split(" ")[1] for g in GRADES], loc="outside lower right", ncols=5, frameon=False
    )
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
    return buf.getvalue()


def _share(counts: dict[str, int], grade: str) -> float:
    total = sum(counts.values())
    return counts.get(grade, 0) / total * 100 if total else 0.0


def _grade_axes(ax: Axes, rows: Sequence[GradeRow], title: str) -> None:
    labels = [r.label_en for r in rows]
    left = [0.0] * len(rows)
    for g in GRADES:
        shares = [_share(r.counts, g) for r in rows]
        ax.barh(labels, shares, left=left, color=GRADE_COLORS[g], label=g, edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of answers (%)")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)


def year_chart(
    year: str,
    ranking: Sequence[VendorScore],
    labels: dict[str, VendorLabel],
    vendor_grades: Sequence[GradeRow],
    fmt: str,
) -> bytes:
    scored = [s for s in ranking if s.total is not None]
    n = max(len(scored), 1)
    fig = Figure(figsize=(16, max(4.5, 0.38 * n + 2)), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.1, 1])
    names = [f"{s.rank}. {labels[s.vendor_id].label_en if s.vendor_id in labels else s.vendor_id[:8]}" for s in scored]
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
    ax1.set_xlabel("total score (0-100)")
    ax1.set_title(f"Vendor ranking {year}", loc="left", fontweight="bold")
    ax1.spines[["top", "right"]].set_visible(False)
    if any(not s.complete for s in scored):
        ax1.text(0, -0.08, "* provisional: a KPI source was unavailable", transform=ax1.transAxes, fontsize=8)
    if not scored:
        ax1.text(0.5, 0.5, "no scores for the period", ha="center", transform=ax1.transAxes)
    _grade_axes(ax2, vendor_grades, f"Satisfaction grades {year}")
    fig.suptitle(
        "Houqin appraisal - Government Offices Administration", fontsize=10, color="#555555", x=0.99, ha="right"
    )
    return _save(fig, fmt)


def campaign_chart(
    title_en: str, note: str, vendor_rows: Sequence[GradeRow], item_rows: Sequence[GradeRow], fmt: str
) -> bytes:
    rows = max(len(vendor_rows), len(item_rows), 1)
    fig = Figure(figsize=(16, max(4.5, 0.3 * rows + 2)), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    _grade_axes(ax1, vendor_rows, "Grades by vendor")
    _grade_axes(ax2, item_rows, "Grades by service item")
    fig.suptitle(title_en, fontsize=13, fontweight="bold", x=0.01, ha="left")
    fig.text(0.01, 0.0, note, fontsize=8, color="#555555")
    return _save(fig, fmt)
