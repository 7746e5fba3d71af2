"""HTTP routes of the energy and vehicle KPIs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, NotFound, problem_responses
from houqin_common.i18n import _
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import PERIOD_RE, EnergyKpi, VehicleKpi
from telemetry_ingest.analytics.dependencies import Settings
from telemetry_ingest.kpis import service
from telemetry_ingest.names import Directory, name_items
from telemetry_ingest.statistics.dependencies import Coefficients
from telemetry_ingest.tariffs import service as tariff_service

router = ServiceRouter(prefix="/kpis", tags=["kpis"], responses=COMMON_ERRORS)

PeriodQuery = Annotated[
    str,
    Query(
        pattern=PERIOD_RE.pattern,
        description="appraisal period: `2026`, `2026H1`, `2026Q3` or `2026-07` (local time)",
        examples=["2026H1"],
    ),
]


def _scoped(principal: Principal, vendor_id: str | None) -> str | None:
    scope = vendor_scope(principal)
    if scope is not None:
        if vendor_id is not None and vendor_id != scope:
            raise NotFound(_("vendor {id} not found", id=vendor_id))
        return scope
    return vendor_id


@router.get("/energy", response_model=EnergyKpi, responses=problem_responses(404))
async def get_energy_kpi(
    session: DbSession,
    settings: Settings,
    cfg: Coefficients,
    vendor_id: Annotated[str, Query(max_length=64, description="responsible vendor")],
    period: PeriodQuery,
    measure: Annotated[
        Literal["energy", "cost"], Query(description="`cost` adds the cost in CNY and its saving ratio")
    ] = "energy",
    *,
    names: Directory,
    principal: Principal = Depends(require_roles(Role.supervisor, Role.vendor, *READ_ALL)),
) -> EnergyKpi:
    """Energy KPI of the meters a vendor is responsible for, like for like: the meter-days that reported in
    the period and on the same day a year earlier, in kgce (standard coal) over the energy carriers, every
    carrier also in its own unit (water apart), with the scope (meters and meter-days of each period). Below
    the configured compared share it does not score (`saving_ratio` null, `not_scored` and its reason).
    A vendor with no meters answers zero meters."""
    scoped = _scoped(principal, vendor_id)
    assert scoped is not None
    kpi, cmp = await service.energy_kpi(session, settings=settings, cfg=cfg, vendor_id=scoped, period=period)
    if measure == "cost" and kpi.meters and cmp is not None and kpi.period_end is not None:
        start, _end = service.period_window(period, settings)
        kpi = await tariff_service.with_cost(
            session, settings=settings, kpi=kpi, window=(start, kpi.period_end), pairs=cmp.pairs
        )
    await name_items(names, [kpi])
    return kpi


@router.get("/vehicles", response_model=list[VehicleKpi], responses=problem_responses(404))
async def list_vehicle_kpis(
    session: DbSession,
    settings: Settings,
    period: PeriodQuery,
    vendor_id: Annotated[str | None, Query(max_length=64, description="one vendor; default every group")] = None,
    group_by: Annotated[Literal["vendor", "department"], Query(description="grouping of the rows")] = "vendor",
    *,
    names: Directory,
    principal: Principal = Depends(require_roles(Role.supervisor, Role.vendor, *READ_ALL)),
) -> list[VehicleKpi]:
    """Vehicle KPIs per vendor (or department): vehicles, distance ignoring GPS jumps, trips, violation
    alerts (off-hours, sealed holiday, unrequested use, geofence, overspeed) and compliance ratio. Trips and
    alerts are those stored by `POST /v1/fleet/evaluate`."""
    kpis = await service.vehicle_kpis(
        session, settings=settings, period=period, vendor_id=_scoped(principal, vendor_id), group_by=group_by
    )
    await name_items(names, kpis)
    return kpis
