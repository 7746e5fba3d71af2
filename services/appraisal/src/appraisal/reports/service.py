"""Gathers the numbers of a year or a campaign and renders them with the builder."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Campaign
from appraisal.reports import builder
from appraisal.reports.builder import GradeRow, VendorLabel
from appraisal.scoring import repository as scoring_repository
from appraisal.scoring import rules
from appraisal.scoring import service as scoring_service
from appraisal.scoring.service import KpiSource
from appraisal.settings import Settings
from appraisal.surveys import service as survey_service
from houqin_common.demo import PROJECTS, VENDORS
from houqin_common.schemas import period_bounds

PROJECT_EN = {p.code: p.name for p in PROJECTS}
DEMO_NAMES = {v.id: v.name for v in VENDORS}


class ReportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    png = "png"
    svg = "svg"


MEDIA_TYPES = {
    ReportFormat.csv: "text/csv; charset=utf-8",
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.png: "image/png",
    ReportFormat.svg: "image/svg+xml",
}


def _labels(assignments: dict[str, set[str]], vendor_ids: set[str]) -> dict[str, VendorLabel]:
    out = {}
    for v in vendor_ids:
        projects = sorted(assignments.get(v, set()))
        english = " / ".join(PROJECT_EN.get(p, p) for p in projects) or v[:8]
        out[v] = VendorLabel(name=DEMO_NAMES.get(v, english if projects else v), label_en=english)
    return out


def _settings_note(settings: Settings) -> str:
    points = ", ".join(f"{g} {p:g}" for g, p in settings.grade_points.items())
    return (
        f"Grade points: {points}. Response-rate target {settings.response_rate_target:.0%}. "
        f"Award bars: advanced unit rank <= {settings.advanced_unit_max_rank} and total >= "
        f"{settings.advanced_unit_min_score:g}; excellent unit rank <= {settings.excellent_unit_max_rank} and total >= "
        f"{settings.excellent_unit_min_score:g}. Components with no data drop out and the weights are renormalised."
    )


async def year_report(
    session: AsyncSession, *, year: int, fmt: ReportFormat, settings: Settings, kpis: KpiSource | None, today: date
) -> bytes:
    period = str(year)
    data = await scoring_service.load_period(session, period)
    ranking = await scoring_service.rank(session, period=period, settings=settings, kpis=kpis, today=today, data=data)
    labels = _labels(data.assignments, {s.vendor_id for s in ranking})
    vendor_grades = [
        GradeRow(
            key=v,
            name=labels[v].name if v in labels else v,
            label_en=labels[v].label_en if v in labels else v[:8],
            counts=counts,
            score=rules.grade_score([g for g, n in counts.items() for _ in range(n)], settings.grade_points),
        )
        for v, counts in sorted(data.grades.items(), key=lambda kv: kv[0])
    ]
    vendor_grades.sort(key=lambda r: -(r.score or 0))
    if fmt == ReportFormat.csv:
        return builder.ranking_csv(ranking, labels)
    if fmt == ReportFormat.xlsx:
        return await asyncio.to_thread(
            builder.year_xlsx, period, ranking, labels, vendor_grades, _settings_note(settings)
        )
    # rendering takes a second or two: off the event loop
    return await asyncio.to_thread(builder.year_chart, period, ranking, labels, vendor_grades, fmt.value)


async def campaign_report(session: AsyncSession, *, campaign: Campaign, fmt: ReportFormat, settings: Settings) -> bytes:
    results = await survey_service.results(session, campaign=campaign, settings=settings)
    start, end = period_bounds(campaign.period)
    assignments = await scoring_repository.assignments(session, start, end)
    labels = _labels(assignments, {v.vendor_id for v in results.vendors})
    vendor_rows = sorted(
        (
            GradeRow(v.vendor_id, labels[v.vendor_id].name, labels[v.vendor_id].label_en, v.distribution, v.score)
            for v in results.vendors
        ),
        key=lambda r: -(r.score or 0),
    )
    item_rows = [GradeRow(i.item_code, i.name_zh, i.name, i.distribution, i.score) for i in results.items]
    if fmt == ReportFormat.csv:
        return builder.grades_csv(vendor_rows, "vendor id") + b"\r\n" + builder.grades_csv(item_rows, "item code")
    rate = await survey_service.response_rate(session, campaign=campaign, settings=settings)
    note = (
        f"Period {campaign.period}. Responses {rate.answered} of {rate.invited} invited"
        + (f" ({rate.rate:.1%}, target {rate.target:.0%})" if rate.rate is not None else "")
        + f". Departments under {settings.min_group_size} responses are not shown."
    )
    if fmt == ReportFormat.xlsx:
        return await asyncio.to_thread(builder.campaign_xlsx, campaign.title, item_rows, vendor_rows, note)
    title = f"Satisfaction survey {campaign.period}"
    return await asyncio.to_thread(builder.campaign_chart, title, note, vendor_rows, item_rows, fmt.value)
