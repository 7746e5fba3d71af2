"""The savings ledger: project lines (cost before outsourcing vs contract cost now), shared platforms'
avoided costs, and the yearly statement beside telemetry-ingest's energy savings.

Hook for the shared platforms: a domain that can compute a platform's avoided cost itself (the conference
centre against hotel-hall rental, once it exists) registers ``PLATFORM_SOURCES[Platform.conference_centre]``;
an entered figure always wins over it, and the statement states which was used."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import PlatformSaving, ProjectSaving
from appraisal.names import NameDirectory
from appraisal.savings import repository, rules
from appraisal.savings.rules import Basis, Platform
from appraisal.savings.schemas import (
    EnergyLine,
    PlatformLine,
    PlatformSavingIn,
    ProjectLine,
    ProjectSavingIn,
    SavingsStatement,
)
from appraisal.settings import Settings
from houqin_common.clients import ApiError, TelemetryClient
from houqin_common.errors import UnprocessableEntity
from houqin_common.i18n import _

logger = logging.getLogger("appraisal.savings")

#: a platform's own avoided-cost figure for a year: (yuan, how it was obtained), or None when it has none
PlatformSource = Callable[[AsyncSession, int], Awaitable[tuple[Decimal, str] | None]]
PLATFORM_SOURCES: dict[Platform, PlatformSource] = {}


async def put_project(
    session: AsyncSession, *, project_code: str, year: int, line_in: ProjectSavingIn, recorder: str
) -> ProjectSaving:
    """Record (or replace) a project's year; 422 unless exactly one basis of the cost before is given."""
    try:
        rules.cost_before(line_in.posts, line_in.wage_per_post, line_in.office_figure)
    except rules.SavingsRuleError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    if line_in.office_figure is not None and not line_in.office_figure_source:
        raise UnprocessableEntity(_("an office figure needs its source"))
    row = await repository.project_line(session, project_code, year)
    if row is None:
        row = ProjectSaving(project_code=project_code, year=year)
        session.add(row)
    for key, value in line_in.model_dump().items():
        setattr(row, key, value)
    row.recorded_by = recorder
    await session.flush()
    return row


async def put_platform(
    session: AsyncSession, *, platform: Platform, year: int, line_in: PlatformSavingIn, recorder: str
) -> PlatformSaving:
    row = await repository.platform_line(session, platform.value, year)
    if row is None:
        row = PlatformSaving(platform=platform.value, year=year)
        session.add(row)
    row.avoided_cost = line_in.avoided_cost
    row.source = line_in.source
    row.recorded_by = recorder
    await session.flush()
    return row


def project_line(row: ProjectSaving, name: str | None) -> ProjectLine:
    basis, before = rules.cost_before(row.posts, row.wage_per_post, row.office_figure)
    return ProjectLine(
        project_code=row.project_code,
        project_name=name,
        basis=basis,
        basis_zh=basis.label_zh,
        posts=row.posts,
        wage_per_post=row.wage_per_post,
        office_figure=row.office_figure,
        office_figure_source=row.office_figure_source,
        cost_before=before,
        contract_cost=row.contract_cost,
        contract_cost_source=row.contract_cost_source,
        saving=rules.saving(before, row.contract_cost),
        note=row.note,
    )


async def energy_line(telemetry: TelemetryClient | None, year: int, settings: Settings) -> EnergyLine:
    """The year's energy cost saving against the year before, from telemetry-ingest; a stated gap otherwise."""
    if telemetry is None or not settings.savings_energy_from_telemetry:
        return EnergyLine(available=False, saved_cny=None, source=_("not asked of telemetry-ingest (settings)"))
    try:
        got = await telemetry.energy_cost_savings(
            baseline_start=date(year - 1, 1, 1),
            baseline_end=date(year, 1, 1),
            start=date(year, 1, 1),
            end=date(year + 1, 1, 1),
        )
    except ApiError as exc:
        logger.warning("energy savings of %s unavailable: %s", year, exc)
        return EnergyLine(
            available=False, saved_cny=None, source=_("telemetry-ingest could not answer: {error}", error=exc)
        )
    return EnergyLine(
        available=True,
        saved_cny=got.saved_cny,
        actual_cny=got.actual_cny,
        expected_cny=got.expected_cny,
        saving_ratio=got.saving_ratio,
        source=_(
            "telemetry-ingest energy savings (cost, every meter), {year} against {previous}",
            year=year,
            previous=year - 1,
        ),
    )


async def statement(
    session: AsyncSession,
    *,
    year: int,
    settings: Settings,
    telemetry: TelemetryClient | None,
    directory: NameDirectory | None,
    today: date,
) -> SavingsStatement:
    """The year's savings: every project with its inputs, the platforms, their total, energy beside it."""
    projects, platforms = await repository.year_lines(session, year)
    names = await directory.resolve((), {p.project_code for p in projects}) if directory and projects else None
    lines = [
        project_line(p, names.projects[p.project_code].label() if names and p.project_code in names.projects else None)
        for p in projects
    ]
    plat = [
        PlatformLine(
            platform=Platform(p.platform),
            platform_zh=Platform(p.platform).label_zh,
            avoided_cost=p.avoided_cost,
            source=p.source,
        )
        for p in platforms
    ]
    entered = {p.platform for p in plat}
    for platform, source in PLATFORM_SOURCES.items():
        if platform not in entered and (figure := await source(session, year)) is not None:
            plat.append(
                PlatformLine(platform=platform, platform_zh=platform.label_zh, avoided_cost=figure[0], source=figure[1])
            )
    sums = rules.totals([(x.cost_before, x.contract_cost) for x in lines], [p.avoided_cost for p in plat])
    energy = await energy_line(telemetry, year, settings)
    return SavingsStatement(
        year=year,
        projects=lines,
        platforms=plat,
        projects_cost_before=sums.before,
        projects_contract_cost=sums.contract,
        projects_saving=sums.projects_saving,
        platforms_saving=sums.platforms,
        total_cny=sums.total,
        energy=energy,
        grand_total_cny=(sums.total + energy.saved_cny).quantize(rules.CENT)
        if energy.available and energy.saved_cny is not None
        else None,
        generated_on=today,
    )


__all__ = ["PLATFORM_SOURCES", "Basis", "PlatformSource", "put_platform", "put_project", "statement"]
