"""Vendor scores: gather each component for a period, weigh it by the vendor's scheme, rank."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.names import NameDirectory, Names
from appraisal.scoring import components, guidance_component, repository, rules
from appraisal.scoring.components import KpiSource as KpiSource
from appraisal.scoring.components import PeriodData as PeriodData
from appraisal.scoring.components import VendorPeriod
from appraisal.settings import Settings
from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import N_, Text, _
from houqin_common.schemas import (
    PERIOD_RE,
    ProjectLabel,
    ScoreComponent,
    VendorScore,
    period_bounds,
)

logger = logging.getLogger("appraisal.scoring")


def campaign_periods(period: str) -> list[str]:
    """Campaign periods (`2026`, `2026H1`, `2026H2`) that fall inside ``period``."""
    m = PERIOD_RE.match(period)
    if not m:
        raise UnprocessableEntity(_("invalid period {period}", period=repr(period)))
    start, end = period_bounds(period)
    year = m["year"]
    return [p for p in (year, f"{year}H1", f"{year}H2") if start <= period_bounds(p)[0] and period_bounds(p)[1] <= end]


def category_of(projects: set[str], settings: Settings, names: Names | None = None) -> str:
    """The scheme of a vendor: the service type contracts-api holds for its projects."""
    known = {t for p in projects if names is not None and (t := names.service_type(p))}
    cats = sorted(known or {settings.default_category})
    # a vendor running several kinds of projects is weighed by the support scheme first (stricter)
    for preferred in ("support", "extended", "public_benefit", "commercial"):
        if preferred in cats:
            return preferred
    return settings.default_category


SCHEME_LABELS = {
    "support": N_("support services"),
    "commercial": N_("commercial services"),
    "public_benefit": N_("public-benefit services"),
    "extended": N_("extended services"),
}


def _scheme_label(category: str) -> Text:
    return Text(SCHEME_LABELS[category]) if category in SCHEME_LABELS else Text.verbatim(category)


def _with_scheme(note: str | Text | None, scheme: Text) -> Text:
    """The satisfaction note followed by the scheme, kept as text so a snapshot renders it in any locale."""
    first = note if isinstance(note, Text) else Text.verbatim(note or "")
    return Text("{note} {scheme}", {"note": first, "scheme": scheme}, translate=False)


async def lookup_names(directory: NameDirectory | None, data: PeriodData, vendors: Sequence[str]) -> Names | None:
    """Names of ``vendors`` and labels of their projects (None without a directory)."""
    if directory is None:
        return None
    codes = {p for v in vendors for p in data.assignments.get(v, set())}
    return await directory.resolve(vendors, codes)


async def load_period(session: AsyncSession, period: str) -> PeriodData:
    periods = campaign_periods(period)
    start, end = period_bounds(period)
    return PeriodData(
        start=start,
        end=end,
        assignments=await repository.assignments(session, start, end),
        grades=await repository.grade_counts(session, periods),
        routine=await repository.routine_scores(session, start, end),
        food=await repository.food_safety(session, start, end),
        complaints=await repository.complaints(session, start, end),  # type: ignore[arg-type]
        orders=await repository.orders(session, start, end),  # type: ignore[arg-type]
        hazards=await repository.hazards(session, start, end),  # type: ignore[arg-type]
        meetings=await repository.meetings(session, start, end),  # type: ignore[arg-type]
        guidance=await guidance_component.load(session, start, end),
    )


async def score_vendor(
    data: PeriodData,
    vendor_id: str,
    period: str,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    names: Names | None = None,
) -> VendorScore:
    """The vendor's registered components (``scoring.components``) weighed by its scheme."""
    projects = data.assignments.get(vendor_id, set())
    category = category_of(projects, settings, names)
    category_known = names is not None and any(names.service_type(p) for p in projects)
    weights = settings.schemes.get(category) or settings.schemes[settings.default_category]
    vendor = VendorPeriod(vendor_id, period, data, settings, kpis, today, category, weights, projects)
    applicable = [c for c in components.registered() if c.applies(vendor)]
    core = [await c.compute(vendor) for c in applicable if c.core]
    core_scored = any(c.score is not None for c in core)
    # the others count only when a core component scored; those asking telemetry run concurrently
    vendor = replace(vendor, core_scored=core_scored)
    others = await asyncio.gather(*(c.compute(vendor) for c in applicable if not c.core))
    by_name = {c.name: c for c in (*core, *others)}
    comps = [by_name[c.name] for c in applicable]

    combined = rules.combine(comps, weights)
    total = combined.total if core_scored else None
    quality_names = {c.name for c in applicable if c.quality}
    quality_parts = [
        (c.score, weights.get(c.name, 0.0))
        for c in comps
        if c.name in quality_names and c.score is not None and weights.get(c.name, 0.0) > 0
    ]
    qw = sum(w for _s, w in quality_parts)
    quality = round(sum((s or 0.0) * w for s, w in quality_parts) / qw, 2) if qw else None
    scheme_note = (
        Text(N_("[scheme {scheme}]"), {"scheme": _scheme_label(category)})
        if category_known
        else Text(N_("[scheme {scheme}: project category unknown, default used]"), {"scheme": _scheme_label(category)})
    )
    return VendorScore(
        vendor_id=vendor_id,
        vendor_name=names.vendor_name(vendor_id) if names is not None else None,
        projects=names.project_labels(projects)
        if names is not None
        else [ProjectLabel(code=p) for p in sorted(projects)],
        scheme=category,
        period=period,
        total=total,
        satisfaction=by_name["satisfaction"].score,
        quality=quality,
        complete=combined.complete,
        missing=combined.missing,
        components=[
            ScoreComponent.noted(
                _with_scheme(c.note, scheme_note) if c.name == "satisfaction" else c.note,
                name=c.name,
                score=c.score,
                weight=weights.get(c.name, 0.0),
                available=c.available,
            )
            for c in comps
        ],
    )


async def vendor_score(
    session: AsyncSession,
    *,
    vendor_id: str,
    period: str,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    directory: NameDirectory | None = None,
) -> VendorScore:
    data = await load_period(session, period)
    if vendor_id not in data.vendors():
        raise NotFound(_("no appraisal data for vendor {vendor_id} in {period}", vendor_id=vendor_id, period=period))
    ranking = await rank(
        session, period=period, settings=settings, kpis=kpis, today=today, data=data, directory=directory
    )
    return next(s for s in ranking if s.vendor_id == vendor_id)


async def rank(
    session: AsyncSession,
    *,
    period: str,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    data: PeriodData | None = None,
    only: Sequence[str] | None = None,
    directory: NameDirectory | None = None,
) -> list[VendorScore]:
    """Every vendor with appraisal data in ``period``, best first, ``rank`` set; unscored ones last.

    ``directory`` gives names and the project service types that choose each vendor's scheme."""
    data = data or await load_period(session, period)
    vendors = sorted(only if only is not None else data.vendors())
    names = await lookup_names(directory, data, vendors)
    # one vendor's score waits on telemetry (energy, vehicles): the vendors are scored concurrently, not one
    # round trip after another; score_vendor reads only ``data``, never the session, so this is safe
    scores = await asyncio.gather(*(score_vendor(data, v, period, settings, kpis, today, names) for v in vendors))
    ranks = rules.rank_totals({s.vendor_id: s.total for s in scores})
    for s in scores:
        s.rank = ranks.get(s.vendor_id)
    return sorted(scores, key=lambda s: (s.rank is None, s.rank or 0, s.vendor_id))
