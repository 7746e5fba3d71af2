"""Vendor scores: gather each component for a period, weigh it by the vendor's scheme, rank."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.names import NameDirectory, Names
from appraisal.scoring import repository, rules
from appraisal.settings import Settings
from houqin_common.clients import ApiError, NotFoundError
from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import N_, _
from houqin_common.schemas import (
    PERIOD_RE,
    EnergyKpi,
    ProjectLabel,
    ScoreComponent,
    VehicleKpi,
    VendorScore,
    period_bounds,
)

logger = logging.getLogger("appraisal.scoring")


class KpiSource(Protocol):
    """What scoring needs of telemetry-ingest (``houqin_common.clients.TelemetryClient``)."""

    async def energy_kpi(self, vendor_id: str, period: str, *, measure: str = "energy") -> EnergyKpi: ...

    async def vehicle_kpi(self, period: str, *, vendor_id: str | None = None) -> list[VehicleKpi]: ...


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


def _scheme_label(category: str) -> str:
    return _(SCHEME_LABELS[category]) if category in SCHEME_LABELS else category


async def lookup_names(directory: NameDirectory | None, data: PeriodData, vendors: Sequence[str]) -> Names | None:
    """Names of ``vendors`` and labels of their projects (None without a directory)."""
    if directory is None:
        return None
    codes = {p for v in vendors for p in data.assignments.get(v, set())}
    return await directory.resolve(vendors, codes)


@dataclass
class PeriodData:
    """Everything the database holds for a period, by vendor, read once for the whole ranking (a source with
    no records in the period is an empty mapping)."""

    start: date
    end: date
    assignments: dict[str, set[str]] = field(default_factory=dict)
    grades: dict[str, dict[str, int]] = field(default_factory=dict)
    routine: dict[str, list[float]] = field(default_factory=dict)
    food: dict[str, list[tuple[float, str | None]]] = field(default_factory=dict)
    complaints: dict[str, list[tuple[bool, object, object]]] = field(default_factory=dict)
    orders: dict[str, list[object]] = field(default_factory=dict)

    def vendors(self) -> set[str]:
        return (
            set(self.assignments)
            | set(self.grades)
            | set(self.routine)
            | set(self.food)
            | set(self.complaints)
            | set(self.orders)
        )


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
    )


async def _energy(
    kpis: KpiSource | None, vendor_id: str, period: str, settings: Settings, measure: str = "energy"
) -> rules.Component:
    if kpis is None:
        return rules.Component("energy", None, available=False, note=_("telemetry source not configured"))
    try:
        kpi = (
            await kpis.energy_kpi(vendor_id, period, measure=measure)
            if measure != "energy"
            else (await kpis.energy_kpi(vendor_id, period))
        )
    except NotFoundError:
        # a vendor without meters (0 meters, or a 404 from an older telemetry) is not measured on energy
        return rules.Component("energy", None, note=_("no meters assigned to the vendor in telemetry"))
    except ApiError as exc:
        logger.warning("energy KPI of %s unavailable: %s", vendor_id, exc)
        return rules.Component("energy", None, available=False, note=_("telemetry unavailable: {error}", error=exc))
    if kpi.meters == 0:
        return rules.Component("energy", None, note=_("no meters assigned to the vendor in telemetry"))
    if measure == "cost":
        score = rules.energy_score(
            kpi.cost_saving_ratio, kpi.waste_alerts, settings.energy_target_saving, settings.energy_waste_alert_penalty
        )
        if score is None:
            return rules.Component(
                "energy", None, note=_("{meters} meters, no priced cost last year", meters=kpi.meters)
            )
        return rules.Component(
            "energy",
            score,
            note=_(
                "{meters} meters, cost {cost} CNY against {previous} CNY last year (saving {ratio}), "
                "{alerts} waste alerts",
                meters=kpi.meters,
                cost=kpi.cost_cny,
                previous=kpi.previous_cost_cny,
                ratio=f"{kpi.cost_saving_ratio:.1%}",
                alerts=kpi.waste_alerts,
            ),
        )
    score = rules.energy_score(
        kpi.saving_ratio, kpi.waste_alerts, settings.energy_target_saving, settings.energy_waste_alert_penalty
    )
    if score is None:
        return rules.Component(
            "energy", None, note=_("{meters} meters, no same-period consumption last year", meters=kpi.meters)
        )
    return rules.Component(
        "energy",
        score,
        note=_(
            "{meters} meters, saving {saving} year on year, {alerts} waste alerts",
            meters=kpi.meters,
            saving=f"{kpi.saving_ratio:.1%}",
            alerts=kpi.waste_alerts,
        ),
    )


async def _vehicles(kpis: KpiSource | None, vendor_id: str, period: str) -> rules.Component:
    if kpis is None:
        return rules.Component("vehicles", None, available=False, note=_("telemetry source not configured"))
    try:
        rows = await kpis.vehicle_kpi(period, vendor_id=vendor_id)
    except NotFoundError:
        return rules.Component("vehicles", None, note=_("no vehicles assigned to the vendor in telemetry"))
    except ApiError as exc:
        logger.warning("vehicle KPI of %s unavailable: %s", vendor_id, exc)
        return rules.Component("vehicles", None, available=False, note=_("telemetry unavailable: {error}", error=exc))
    score = rules.vehicle_score([(r.compliance_ratio, r.trips) for r in rows])
    trips = sum(r.trips for r in rows)
    violations = sum(r.violations for r in rows)
    return rules.Component(
        "vehicles", score, note=_("{trips} trips, {violations} violations", trips=trips, violations=violations)
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
    projects = data.assignments.get(vendor_id, set())
    category = category_of(projects, settings, names)
    category_known = names is not None and any(names.service_type(p) for p in projects)
    weights = settings.schemes.get(category) or settings.schemes[settings.default_category]
    comps: list[rules.Component] = []

    counts = data.grades.get(vendor_id, {})
    grades = [g for g, n in counts.items() for _ in range(n)]
    sat = rules.grade_score(grades, settings.grade_points)
    graded = sum(n for g, n in counts.items() if g != rules.Grade.not_applicable)
    comps.append(
        rules.Component(
            "satisfaction", sat, note=_("{graded} graded answers", graded=graded) if graded else _("no answers")
        )
    )

    routine = data.routine.get(vendor_id, [])
    comps.append(
        rules.Component(
            "routine",
            round(sum(routine) / len(routine), 2) if routine else None,
            note=_("{count} routine inspections", count=len(routine)),
        )
    )
    food = data.food.get(vendor_id, [])
    majors = sum(1 for _, w in food if w in settings.major_severities)
    comps.append(
        rules.Component(
            "food_safety",
            round(sum(s for s, _ in food) / len(food), 2) if food else None,
            note=_("{count} third-party inspections, {majors} with a major violation", count=len(food), majors=majors),
        )
    )
    core_scored = any(c.score is not None for c in comps)

    complaints = data.complaints.get(vendor_id, [])
    counted = [(c, rules.hours_between(f, r)) for c, f, r in complaints]  # type: ignore[arg-type]
    comps.append(
        rules.Component(
            "complaints",
            rules.complaint_score(
                counted,
                settings.complaint_penalty,
                settings.complaint_late_response_penalty,
                settings.complaint_response_target_hours,
            )
            if core_scored
            else None,
            note=_(
                "{count} complaints, {counted} counted against the vendor",
                count=len(complaints),
                counted=sum(1 for c, _h in counted if c),
            ),
        )
    )
    orders = data.orders.get(vendor_id, [])
    late = [
        rules.was_late(o.status, o.deadline, today, o.submitted_on, o.verified_on)  # type: ignore[attr-defined]
        for o in orders
    ]
    comps.append(
        rules.Component(
            "rectification",
            rules.rectification_score(late, settings.rectification_overdue_penalty),
            note=_("{count} rectification orders due, {late} late or overdue", count=len(orders), late=sum(late)),
        )
    )
    if weights.get("energy", 0) > 0 and projects & set(settings.energy_projects):
        comps.append(await _energy(kpis, vendor_id, period, settings, settings.energy_measure.get(category, "energy")))
    if weights.get("vehicles", 0) > 0 and projects & set(settings.vehicle_projects):
        comps.append(await _vehicles(kpis, vendor_id, period))

    combined = rules.combine(comps, weights)
    total = combined.total if core_scored else None
    quality_parts = [
        (c.score, weights.get(c.name, 0.0))
        for c in comps
        if c.name in ("routine", "food_safety") and c.score is not None and weights.get(c.name, 0.0) > 0
    ]
    qw = sum(w for _, w in quality_parts)
    quality = round(sum((s or 0.0) * w for s, w in quality_parts) / qw, 2) if qw else None
    scheme_note = (
        _("[scheme {scheme}]", scheme=_scheme_label(category))
        if category_known
        else _("[scheme {scheme}: project category unknown, default used]", scheme=_scheme_label(category))
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
        satisfaction=sat,
        quality=quality,
        complete=combined.complete,
        missing=combined.missing,
        components=[
            ScoreComponent(
                name=c.name,
                score=c.score,
                weight=weights.get(c.name, 0.0),
                available=c.available,
                note=(c.note or "") + (" " + scheme_note if c.name == "satisfaction" else ""),
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
