"""The score components, each a registered, typed unit: what it reads of a vendor's period, how it scores it,
and its part in the total. Adding one: a pure score in ``rules``, its data in ``PeriodData`` (loaded by
``service.load_period``), a function here under ``@component``, its name and weights in ``settings``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from appraisal.scoring import rules
from appraisal.settings import COMPONENTS, Settings
from houqin_common.clients import ApiError, NotFoundError
from houqin_common.i18n import _
from houqin_common.schemas import EnergyKpi, VehicleKpi

logger = logging.getLogger("appraisal.scoring")
R = TypeVar("R")


class KpiSource(Protocol):
    """What scoring needs of telemetry-ingest (``houqin_common.clients.TelemetryClient``)."""

    async def energy_kpi(self, vendor_id: str, period: str) -> EnergyKpi: ...

    async def vehicle_kpi(self, period: str, *, vendor_id: str | None = None) -> list[VehicleKpi]: ...


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


@dataclass(frozen=True)
class VendorPeriod:
    """What a component reads: one vendor's share of the period, its scheme, the outside sources."""

    vendor_id: str
    period: str
    data: PeriodData
    settings: Settings
    kpis: KpiSource | None
    today: date
    weights: dict[str, float]
    projects: set[str] = field(default_factory=set)
    #: whether a core component (satisfaction, inspections) scored: the others count only then
    core_scored: bool = False


Compute = Callable[[VendorPeriod], Awaitable[rules.Component]]


@dataclass(frozen=True)
class ScoringComponent:
    name: str
    compute: Compute
    #: a vendor scored by no core component has no total (it is listed, unranked)
    core: bool = False
    #: part of the quality sub-score (inspections)
    quality: bool = False
    #: projects the component applies to (a settings field naming project codes); None: every vendor
    projects_setting: str | None = None

    def applies(self, vendor: VendorPeriod) -> bool:
        if self.projects_setting is None:
            return True
        projects: list[str] = getattr(vendor.settings, self.projects_setting)
        return vendor.weights.get(self.name, 0) > 0 and bool(vendor.projects & set(projects))


REGISTRY: dict[str, ScoringComponent] = {}


def component(
    name: str, *, core: bool = False, quality: bool = False, projects_setting: str | None = None
) -> Callable[[Compute], Compute]:
    """Register ``compute`` as the component ``name`` (one of ``settings.COMPONENTS``)."""

    def register(compute: Compute) -> Compute:
        if name not in COMPONENTS:
            raise ValueError(_("{name} is not in appraisal.settings.COMPONENTS", name=repr(name)))
        REGISTRY[name] = ScoringComponent(name, compute, core, quality, projects_setting)
        return compute

    return register


def registered() -> list[ScoringComponent]:
    """The components in ``COMPONENTS`` order (the order of a score's breakdown and of the report columns)."""
    return [REGISTRY[name] for name in COMPONENTS]


@component("satisfaction", core=True)
async def satisfaction(v: VendorPeriod) -> rules.Component:
    counts = v.data.grades.get(v.vendor_id, {})
    grades = [g for g, n in counts.items() for _ in range(n)]
    sat = rules.grade_score(grades, v.settings.grade_points)
    graded = sum(n for g, n in counts.items() if g != rules.Grade.not_applicable)
    return rules.Component("satisfaction", sat, note=f"{graded} graded answers" if graded else "no answers")


@component("routine", core=True, quality=True)
async def routine(v: VendorPeriod) -> rules.Component:
    scores = v.data.routine.get(v.vendor_id, [])
    return rules.Component(
        "routine",
        round(sum(scores) / len(scores), 2) if scores else None,
        note=f"{len(scores)} routine inspections",
    )


@component("food_safety", core=True, quality=True)
async def food_safety(v: VendorPeriod) -> rules.Component:
    food = v.data.food.get(v.vendor_id, [])
    majors = sum(1 for _, w in food if w in v.settings.major_severities)
    return rules.Component(
        "food_safety",
        round(sum(s for s, _ in food) / len(food), 2) if food else None,
        note=f"{len(food)} third-party inspections, {majors} with a major violation",
    )


@component("complaints")
async def complaints(v: VendorPeriod) -> rules.Component:
    filed = v.data.complaints.get(v.vendor_id, [])
    counted = [(c, rules.hours_between(f, r)) for c, f, r in filed]  # type: ignore[arg-type]
    settings = v.settings
    return rules.Component(
        "complaints",
        rules.complaint_score(
            counted,
            settings.complaint_penalty,
            settings.complaint_late_response_penalty,
            settings.complaint_response_target_hours,
        )
        if v.core_scored
        else None,
        note=f"{len(filed)} complaints, {sum(1 for c, _ in counted if c)} counted against the vendor",
    )


@component("rectification")
async def rectification(v: VendorPeriod) -> rules.Component:
    orders = v.data.orders.get(v.vendor_id, [])
    late = [
        rules.was_late(o.status, o.deadline, v.today, o.submitted_on, o.verified_on)  # type: ignore[attr-defined]
        for o in orders
    ]
    return rules.Component(
        "rectification",
        rules.rectification_score(late, v.settings.rectification_overdue_penalty),
        note=f"{len(orders)} rectification orders due, {sum(late)} late or overdue",
    )


async def _ask_telemetry(
    v: VendorPeriod, name: str, ask: Callable[[KpiSource], Awaitable[R]], *, nothing: str
) -> R | rules.Component:
    """The KPI ``ask`` returns, or the component to report instead: not measured (``nothing``, when telemetry
    knows no device of the vendor) or unavailable (no source, or telemetry failed)."""
    if v.kpis is None:
        return rules.Component(name, None, available=False, note="telemetry source not configured")
    try:
        return await ask(v.kpis)
    except NotFoundError:
        return rules.Component(name, None, note=nothing)
    except ApiError as exc:
        logger.warning("%s KPI of %s unavailable: %s", name, v.vendor_id, exc)
        return rules.Component(name, None, available=False, note=f"telemetry unavailable: {exc}")


@component("energy", projects_setting="energy_projects")
async def energy(v: VendorPeriod) -> rules.Component:
    # a vendor without meters (0 meters, or a 404 from an older telemetry) is not measured on energy
    no_meters = "no meters assigned to the vendor in telemetry"
    kpi = await _ask_telemetry(v, "energy", lambda k: k.energy_kpi(v.vendor_id, v.period), nothing=no_meters)
    if isinstance(kpi, rules.Component):
        return kpi
    if kpi.meters == 0:
        return rules.Component("energy", None, note=no_meters)
    settings = v.settings
    score = rules.energy_score(
        kpi.saving_ratio, kpi.waste_alerts, settings.energy_target_saving, settings.energy_waste_alert_penalty
    )
    if score is None:
        return rules.Component("energy", None, note=f"{kpi.meters} meters, no same-period consumption last year")
    return rules.Component(
        "energy",
        score,
        note=f"{kpi.meters} meters, saving {kpi.saving_ratio:.1%} year on year, {kpi.waste_alerts} waste alerts",
    )


@component("vehicles", projects_setting="vehicle_projects")
async def vehicles(v: VendorPeriod) -> rules.Component:
    rows = await _ask_telemetry(
        v,
        "vehicles",
        lambda k: k.vehicle_kpi(v.period, vendor_id=v.vendor_id),
        nothing="no vehicles assigned to the vendor in telemetry",
    )
    if isinstance(rows, rules.Component):
        return rows
    score = rules.vehicle_score([(r.compliance_ratio, r.trips) for r in rows])
    trips = sum(r.trips for r in rows)
    violations = sum(r.violations for r in rows)
    return rules.Component("vehicles", score, note=f"{trips} trips, {violations} violations")
