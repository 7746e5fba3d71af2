"""The score components, each a registered, typed unit: what it reads of a vendor's period, how it scores it,
and its part in the total. Adding one: its pure score in ``rules``, its data in ``PeriodData`` (loaded by
``service.load_period``), an ``async`` function here under ``@component``, its name and weights in
``settings`` (and its report heading in ``reports.builder.COMPONENT_HEAD``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from appraisal.guidance.rules import GuidanceTally
from appraisal.scoring import rules
from appraisal.settings import COMPONENTS, Settings
from houqin_common.clients import ApiError, NotFoundError
from houqin_common.i18n import N_, Text, _
from houqin_common.schemas import EnergyKpi, VehicleKpi

logger = logging.getLogger("appraisal.scoring")
R = TypeVar("R")


class KpiSource(Protocol):
    """What scoring needs of telemetry-ingest (``houqin_common.clients.TelemetryClient``)."""

    async def energy_kpi(self, vendor_id: str, period: str, *, measure: str = "energy") -> EnergyKpi: ...

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
    #: issue 26: hazards due for removal in the period, meetings held in it (``components_safety``)
    hazards: dict[str, list[object]] = field(default_factory=dict)
    meetings: dict[str, list[object]] = field(default_factory=dict)
    #: issue 27: training attendance and open guidance findings (``scoring.guidance_component``); they explain
    #: a vendor's score but do not by themselves put a vendor in the ranking
    guidance: dict[str, GuidanceTally] = field(default_factory=dict)

    def vendors(self) -> set[str]:
        return (
            set(self.assignments)
            | set(self.grades)
            | set(self.routine)
            | set(self.food)
            | set(self.complaints)
            | set(self.orders)
            | set(self.hazards)
            | set(self.meetings)
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
    category: str
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
    #: the settings field naming the projects it applies to (weighted > 0 too); None: every vendor
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
    grades = [g for g, n in counts.items() for _n in range(n)]
    sat = rules.grade_score(grades, v.settings.grade_points)
    graded = sum(n for g, n in counts.items() if g != rules.Grade.not_applicable)
    note = Text(N_("{graded} graded answers"), {"graded": graded}) if graded else Text(N_("no answers"))
    return rules.Component("satisfaction", sat, note=note)


@component("routine", core=True, quality=True)
async def routine(v: VendorPeriod) -> rules.Component:
    scores = v.data.routine.get(v.vendor_id, [])
    return rules.Component(
        "routine",
        round(sum(scores) / len(scores), 2) if scores else None,
        note=Text(N_("{count} routine inspections"), {"count": len(scores)}),
    )


@component("food_safety", core=True, quality=True)
async def food_safety(v: VendorPeriod) -> rules.Component:
    food = v.data.food.get(v.vendor_id, [])
    majors = sum(1 for _s, w in food if w in v.settings.major_severities)
    return rules.Component(
        "food_safety",
        round(sum(s for s, _w in food) / len(food), 2) if food else None,
        note=Text(
            N_("{count} third-party inspections, {majors} with a major violation"),
            {"count": len(food), "majors": majors},
        ),
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
        note=Text(
            N_("{count} complaints, {counted} counted against the vendor"),
            {"count": len(filed), "counted": sum(1 for c, _h in counted if c)},
        ),
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
        note=Text(
            N_("{count} rectification orders due, {late} late or overdue"), {"count": len(orders), "late": sum(late)}
        ),
    )


@component("energy", projects_setting="energy_projects")
async def energy(v: VendorPeriod) -> rules.Component:
    return await _energy(v.kpis, v.vendor_id, v.period, v.settings, v.settings.energy_measure.get(v.category, "energy"))


@component("vehicles", projects_setting="vehicle_projects")
async def vehicles(v: VendorPeriod) -> rules.Component:
    return await _vehicles(v.kpis, v.vendor_id, v.period)


async def _ask_telemetry(
    kpis: KpiSource | None,
    vendor_id: str,
    name: str,
    ask: Callable[[KpiSource], Awaitable[R]],
    *,
    nothing: str | Text,
) -> R | rules.Component:
    """What ``ask`` returns, or the component to report instead: not measured (``nothing``: telemetry knows
    no device of the vendor) or unavailable (no source configured, or telemetry failed)."""
    if kpis is None:
        return rules.Component(name, None, available=False, note=Text(N_("telemetry source not configured")))
    try:
        return await ask(kpis)
    except NotFoundError:
        return rules.Component(name, None, note=nothing)
    except ApiError as exc:
        logger.warning("%s KPI of %s unavailable: %s", name, vendor_id, exc)
        return rules.Component(
            name, None, available=False, note=Text(N_("telemetry unavailable: {error}"), {"error": exc.text})
        )


async def _energy(
    kpis: KpiSource | None, vendor_id: str, period: str, settings: Settings, measure: str = "energy"
) -> rules.Component:
    async def ask(source: KpiSource) -> EnergyKpi:
        if measure != "energy":
            return await source.energy_kpi(vendor_id, period, measure=measure)
        return await source.energy_kpi(vendor_id, period)

    # a vendor without meters (0 meters, or a 404 from an older telemetry) is not measured on energy
    no_meters = Text(N_("no meters assigned to the vendor in telemetry"))
    kpi = await _ask_telemetry(kpis, vendor_id, "energy", ask, nothing=no_meters)
    if isinstance(kpi, rules.Component):
        return kpi
    if kpi.meters == 0:
        return rules.Component("energy", None, note=no_meters)
    if kpi.not_scored is not None:
        # too few meter-days comparable with a year earlier: a missing component (as without meters), never 0
        # (telemetry's reason is its own text, in the language it answered in: kept verbatim)
        reason = Text.verbatim(kpi.not_scored_reason or kpi.not_scored)
        return rules.Component("energy", None, note=Text(N_("energy not scored: {reason}"), {"reason": reason}))
    if measure == "cost":
        score = rules.energy_score(
            kpi.cost_saving_ratio,
            kpi.waste_alerts,
            settings.energy_target_saving,
            settings.energy_waste_alert_penalty,
            settings.energy_waste_penalty_cap,
        )
        if score is None:
            return rules.Component(
                "energy", None, note=Text(N_("{meters} meters, no priced cost last year"), {"meters": kpi.meters})
            )
        return rules.Component(
            "energy",
            score,
            note=Text(
                N_(
                    "{meters} meters, cost {cost} CNY against {previous} CNY last year (saving {ratio}), "
                    "{alerts} waste alerts"
                ),
                {
                    "meters": kpi.meters,
                    "cost": str(kpi.cost_cny),
                    "previous": str(kpi.previous_cost_cny),
                    "ratio": f"{kpi.cost_saving_ratio:.1%}",
                    "alerts": kpi.waste_alerts,
                },
            ),
        )
    score = rules.energy_score(
        kpi.saving_ratio,
        kpi.waste_alerts,
        settings.energy_target_saving,
        settings.energy_waste_alert_penalty,
        settings.energy_waste_penalty_cap,
    )
    if score is None:
        return rules.Component(
            "energy",
            None,
            note=Text(N_("{meters} meters, no same-period consumption last year"), {"meters": kpi.meters}),
        )
    return rules.Component(
        "energy",
        score,
        note=Text(
            N_("{meters} meters, saving {saving} year on year, {alerts} waste alerts"),
            {"meters": kpi.meters, "saving": f"{kpi.saving_ratio:.1%}", "alerts": kpi.waste_alerts},
        ),
    )


async def _vehicles(kpis: KpiSource | None, vendor_id: str, period: str) -> rules.Component:
    rows = await _ask_telemetry(
        kpis,
        vendor_id,
        "vehicles",
        lambda source: source.vehicle_kpi(period, vendor_id=vendor_id),
        nothing=Text(N_("no vehicles assigned to the vendor in telemetry")),
    )
    if isinstance(rows, rules.Component):
        return rows
    score = rules.vehicle_score([(r.compliance_ratio, r.trips) for r in rows])
    trips = sum(r.trips for r in rows)
    violations = sum(r.violations for r in rows)
    return rules.Component(
        "vehicles",
        score,
        note=Text(N_("{trips} trips, {violations} violations"), {"trips": trips, "violations": violations}),
    )


# issue 26's components live in their own module; importing it registers them
from appraisal.scoring import components_safety as components_safety  # noqa: E402
