"""Vehicle alert rules as registered, typed units.

A rule is a function ``(VehicleContext, trips) -> Iterable[Finding]`` registered with ``@rule(kind)``;
the evaluator runs every registered rule, so adding one means writing one function here (and its label
and message below). Findings store the kind and its parameters; the text is rendered with ``_()`` when
an alert is read, in the reader's language. Rules read the track as columns (:mod:`fleet.arrays`); the
per-fix originals are kept in ``tests/oracles/fleet_per_fix.py`` as the oracle of the equivalence tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from houqin_common.i18n import N_, _
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.fleet import arrays, rules
from telemetry_ingest.models import Vehicle


class AlertKind(StrEnum):
    off_hours = "off_hours"
    sealed_holiday = "sealed_holiday"
    geofence_exit = "geofence_exit"
    overspeed = "overspeed"
    idling = "idling"
    device_offline = "device_offline"
    unrequested_use = "unrequested_use"


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    violation = "violation"


class WithdrawReason(StrEnum):
    """Why an alert was withdrawn (kept on the alert; the alert itself is never deleted)."""

    late_data = "late_data"  # a fix that arrived later shows the terminal was reporting
    not_found_on_reevaluation = "not_found_on_reevaluation"  # late positions changed the track


LABELS_ZH = {
    AlertKind.off_hours: "非工作时间用车",
    AlertKind.sealed_holiday: "封存日用车",
    AlertKind.geofence_exit: "驶离指定停放区域",
    AlertKind.overspeed: "超速",
    AlertKind.idling: "怠速过长",
    AlertKind.device_offline: "终端离线",
    AlertKind.unrequested_use: "无申请用车",
}

MESSAGES = {
    AlertKind.off_hours: N_("{plate}: trip of {distance_km} km outside permitted hours"),
    AlertKind.sealed_holiday: N_("{plate}: trip of {distance_km} km on a sealed holiday"),
    AlertKind.unrequested_use: N_("{plate}: trip of {distance_km} km without an approved request"),
    AlertKind.overspeed: N_("{plate}: {peak_kmh} km/h over the {limit_kmh} km/h limit for {duration_s} s"),
    AlertKind.idling: N_("{plate}: engine idling for {idle_min} min"),
    AlertKind.geofence_exit: N_("{plate}: left the designated parking area"),
    AlertKind.device_offline: N_("{plate}: no position for {silent_min} min"),
}

#: kinds re-derived from the track of a window (the offline rule depends on the reference time instead)
TRACK_KINDS = tuple(k for k in AlertKind if k is not AlertKind.device_offline)


class WindowSettings:
    """The settings a rule reads as values: the office's time zone and the grace around approved requests
    (shared by :class:`VehicleContext` and the per-fix reference's context; needs a ``settings``)."""

    settings: AnalyticsSettings

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.settings.request_grace_min)


@dataclass(frozen=True)
class VehicleContext(WindowSettings):
    """Everything a rule may look at for one vehicle and window (no I/O)."""

    vehicle: Vehicle
    track: arrays.FixArrays  # cleaned (jumps dropped), time-sorted
    settings: AnalyticsSettings
    cal: UseCalendar
    fence: rules.Fence | None
    requests: list[rules.RequestWindow]
    now: datetime | None
    last_fix_at: datetime | None

    @cached_property
    def classes(self) -> np.ndarray:
        """Calendar class of every fix (index into :data:`arrays.USE_CLASSES`)."""
        return arrays.use_classes(self.track, self.cal, self.tz)


@dataclass(frozen=True)
class TripView:
    segment: arrays.Trip
    use: str
    request_id: str | None

    @property
    def km(self) -> float:
        return round(self.segment.distance_m / 1000.0, 3)


@dataclass(frozen=True)
class Finding:
    kind: AlertKind
    severity: Severity
    start: datetime
    end: datetime | None
    params: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[VehicleContext, Sequence[TripView]], Iterable[Finding]]
RULES: dict[AlertKind, Rule] = {}


def rule(kind: AlertKind) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[kind] = fn
        return fn

    return register


@rule(AlertKind.off_hours)
def off_hours_use(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    """Any fix of a trip outside working hours (or on a sealed holiday, its own kind); info when covered."""
    for t in trips:
        if t.use != "permitted":
            severity = Severity.info if t.request_id else Severity.violation
            params = {"distance_km": t.km, "request_id": t.request_id}
            yield Finding(AlertKind(t.use), severity, t.segment.start_at, t.segment.end_at, params)


@rule(AlertKind.unrequested_use)
def unrequested_use(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    if not ctx.settings.require_trip_requests:
        return
    for t in trips:
        if t.request_id is None:
            yield Finding(
                AlertKind.unrequested_use,
                Severity.violation,
                t.segment.start_at,
                t.segment.end_at,
                {"distance_km": t.km},
            )


@rule(AlertKind.overspeed)
def overspeed(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    limit = ctx.vehicle.speed_limit_kmh or ctx.settings.default_speed_limit_kmh
    for run in arrays.overspeed(ctx.track, limit_kmh=limit, min_duration_s=ctx.settings.overspeed_min_s):
        params = {"peak_kmh": round(run.peak), "limit_kmh": round(limit), "duration_s": round(run.duration_s)}
        yield Finding(AlertKind.overspeed, Severity.violation, run.start, run.end, params)


@rule(AlertKind.idling)
def idling(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    s = ctx.settings
    for run in arrays.idling(ctx.track, idle_speed_kmh=s.idle_speed_kmh, max_idle_s=s.idle_max_s):
        params = {"duration_s": run.duration_s, "idle_min": round(run.duration_s / 60)}
        yield Finding(AlertKind.idling, Severity.warning, run.start, run.end, params)


@rule(AlertKind.geofence_exit)
def geofence_exit(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    """Leaving the parking fence is a violation outside permitted hours unless a request covers it."""
    if ctx.fence is None:
        return
    track = ctx.track
    for i in arrays.fence_exits(track, ctx.fence):
        ts, use = track.ts(i), arrays.USE_CLASSES[int(ctx.classes[i])]
        covered = any(r.start - ctx.grace <= ts <= r.end + ctx.grace for r in ctx.requests)
        severity = Severity.info if use == "permitted" or covered else Severity.violation
        params = {"lat": float(track.lat[i]), "lon": float(track.lon[i]), "use": use}
        yield Finding(AlertKind.geofence_exit, severity, ts, None, params)


@rule(AlertKind.device_offline)
def device_offline(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    if ctx.now is None or ctx.last_fix_at is None:
        return
    silent = (ctx.now - ctx.last_fix_at).total_seconds() / 60
    if silent >= ctx.settings.offline_after_min:
        yield Finding(AlertKind.device_offline, Severity.warning, ctx.last_fix_at, None, {"silent_min": round(silent)})


def segment_params(settings: AnalyticsSettings) -> rules.SegmentParams:
    return rules.SegmentParams(
        moving_speed_kmh=settings.moving_speed_kmh,
        min_trip_distance_m=settings.min_trip_distance_m,
        min_trip_duration_s=settings.min_trip_duration_s,
        min_parking_s=settings.min_parking_s,
    )


def render(kind: str, params: dict[str, Any]) -> str:
    """The alert's text in the current locale (``params`` stored with the alert)."""
    template = MESSAGES.get(AlertKind(kind)) if kind in AlertKind.__members__ else None
    if template is None:
        return kind
    try:
        return _(template, **params)
    except (KeyError, IndexError):
        return kind


def detect(ctx: VehicleContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(trip rows, alert rows) of one vehicle's cleaned track: every registered rule, no I/O."""
    segments, _stops = arrays.segment(ctx.track, segment_params(ctx.settings))
    trips = [
        TripView(
            t,
            arrays.trip_use(ctx.classes, t),
            rules.request_covering(t.start_at, t.end_at, ctx.requests, grace=ctx.grace),
        )
        for t in segments
    ]
    findings = [f for fn in RULES.values() for f in fn(ctx, trips)]
    return [trip_row(t, findings) for t in trips], [alert_row(ctx.vehicle, f) for f in findings]


def alert_row(vehicle: Vehicle, f: Finding) -> dict[str, Any]:
    """The stored alert of a finding (its text rendered in English; readers render their own)."""
    params = {"plate": vehicle.plate, **f.params}
    return {
        "kind": f.kind.value,
        "severity": f.severity.value,
        "subject_type": "vehicle",
        "subject_id": vehicle.id,
        "vendor_id": vehicle.vendor_id,
        "department": vehicle.department,
        "started_at": f.start,
        "ended_at": f.end,
        "message": MESSAGES[f.kind].format(**params),
        "details": params,
    }


def trip_row(t: TripView, findings: Sequence[Finding]) -> dict[str, Any]:
    """The stored trip; its violation count feeds the compliance ratio of the KPI."""
    seg = t.segment
    violations = sum(1 for f in findings if f.severity is Severity.violation and seg.start_at <= f.start <= seg.end_at)
    return {
        "start_at": seg.start_at,
        "end_at": seg.end_at,
        "distance_km": seg.distance_m / 1000.0,
        "max_speed_kmh": seg.max_speed_kmh,
        "start_lat": seg.start_lat,
        "start_lon": seg.start_lon,
        "end_lat": seg.end_lat,
        "end_lon": seg.end_lon,
        "request_id": t.request_id,
        "violations": violations,
    }
