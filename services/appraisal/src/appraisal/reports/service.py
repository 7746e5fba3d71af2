"""Gathers the numbers of a year or a campaign and renders them with the builder."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Campaign
from appraisal.names import NameDirectory, Names
from appraisal.publication import service as publication_service
from appraisal.reports import builder
from appraisal.reports.builder import GradeRow, VendorLabel
from appraisal.scoring import repository as scoring_repository
from appraisal.scoring import rules
from appraisal.scoring import service as scoring_service
from appraisal.scoring.service import KpiSource
from appraisal.settings import Settings
from appraisal.surveys import service as survey_service
from houqin_common.i18n import _, current_locale
from houqin_common.schemas import period_bounds


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


async def _names(directory: NameDirectory | None, assignments: dict[str, set[str]], vendor_ids: set[str]) -> Names:
    if directory is None:
        return Names(available=False)
    return await directory.resolve(vendor_ids, {p for v in vendor_ids for p in assignments.get(v, set())})


def _labels(names: Names, assignments: dict[str, set[str]], vendor_ids: set[str]) -> dict[str, VendorLabel]:
    """Registered names and project labels from contracts-api (a stated placeholder when it is down)."""
    return {
        v: VendorLabel(
            name=names.vendor_label(v),
            projects=" / ".join(names.project_label(p) for p in sorted(assignments.get(v, set()))),
        )
        for v in vendor_ids
    }


def _settings_note(settings: Settings) -> str:
    points = ", ".join(f"{builder.grade_label(g)} {p:g}" for g, p in settings.grade_points.items())
    return _(
        "Grade points: {points}. Response-rate target {target}. Award bars: advanced unit rank <= {adv_rank} "
        "and total >= {adv_score}; excellent unit rank <= {exc_rank} and total >= {exc_score}. Components "
        "with no data drop out and the weights are renormalised.",
        points=points,
        target=f"{settings.response_rate_target:.0%}",
        adv_rank=settings.advanced_unit_max_rank,
        adv_score=f"{settings.advanced_unit_min_score:g}",
        exc_rank=settings.excellent_unit_max_rank,
        exc_score=f"{settings.excellent_unit_min_score:g}",
    )


async def year_report(
    session: AsyncSession,
    *,
    year: int,
    fmt: ReportFormat,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    directory: NameDirectory | None = None,
) -> bytes:
    return await period_report(
        session, period=str(year), fmt=fmt, settings=settings, kpis=kpis, today=today, directory=directory
    )


async def period_report(
    session: AsyncSession,
    *,
    period: str,
    fmt: ReportFormat,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    directory: NameDirectory | None = None,
) -> bytes:
    """The report of a year or a half-year: its published ranking (latest version), else the ranking
    computed now and marked provisional (暂定) in every format."""
    publication_service.check_period(period, settings)
    data = await scoring_service.load_period(session, period)
    ranking, publication = await publication_service.official_ranking(
        session, period=period, settings=settings, kpis=kpis, today=today, directory=directory
    )
    provisional = publication is None
    shown = {s.vendor_id for s in ranking} | set(data.grades)
    labels = _labels(await _names(directory, data.assignments, shown), data.assignments, shown)
    vendor_grades = [
        GradeRow(
            key=v,
            name=labels[v].name,
            detail=labels[v].projects,
            counts=counts,
            score=rules.grade_score([g for g, n in counts.items() for _ in range(n)], settings.grade_points),
        )
        for v, counts in sorted(data.grades.items(), key=lambda kv: kv[0])
    ]
    vendor_grades.sort(key=lambda r: -(r.score or 0))
    if fmt == ReportFormat.csv:
        return builder.ranking_csv(ranking, labels, provisional=provisional)
    if fmt == ReportFormat.xlsx:
        return await asyncio.to_thread(
            partial(
                builder.year_xlsx,
                period,
                ranking,
                labels,
                vendor_grades,
                _settings_note(settings),
                provisional=provisional,
            )
        )
    # rendering takes a second or two: off the event loop
    return await asyncio.to_thread(
        partial(builder.year_chart, period, ranking, labels, vendor_grades, fmt.value, provisional=provisional)
    )


async def campaign_report(
    session: AsyncSession,
    *,
    campaign: Campaign,
    fmt: ReportFormat,
    settings: Settings,
    directory: NameDirectory | None = None,
) -> bytes:
    results = await survey_service.results(session, campaign=campaign, settings=settings)
    start, end = period_bounds(campaign.period)
    assignments = await scoring_repository.assignments(session, start, end)
    shown = {v.vendor_id for v in results.vendors}
    names = await _names(directory, assignments, shown)
    labels = _labels(names, assignments, shown)
    vendor_rows = sorted(
        (
            GradeRow(v.vendor_id, labels[v.vendor_id].name, labels[v.vendor_id].projects, v.distribution, v.score)
            for v in results.vendors
        ),
        key=lambda r: -(r.score or 0),
    )
    english = current_locale() == "en"
    item_rows = [
        GradeRow(
            i.item_code, i.name if english else i.name_zh, names.project_label(i.project_code), i.distribution, i.score
        )
        for i in results.items
    ]
    if fmt == ReportFormat.csv:
        return (
            builder.grades_csv(vendor_rows, _("vendor id"), _("service projects"))
            + b"\r\n"
            + builder.grades_csv(item_rows, _("item code"), _("service project"))
        )
    rate = await survey_service.response_rate(session, campaign=campaign, settings=settings)
    note = (
        _(
            "Period: {period}. Responses {answered} of {invited} invited",
            period=campaign.period,
            answered=rate.answered,
            invited=rate.invited,
        )
        + (
            _(" ({rate}, target {target})", rate=f"{rate.rate:.1%}", target=f"{rate.target:.0%}")
            if rate.rate is not None
            else ""
        )
        + _(". Departments under {size} responses are not shown.", size=settings.min_group_size)
    )
    if fmt == ReportFormat.xlsx:
        return await asyncio.to_thread(builder.campaign_xlsx, campaign.title, item_rows, vendor_rows, note)
    title = _("Satisfaction survey {period}: {title}", period=campaign.period, title=campaign.title)
    return await asyncio.to_thread(builder.campaign_chart, title, note, vendor_rows, item_rows, fmt.value)
