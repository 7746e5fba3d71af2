"""Vehicle alert rules as registered, typed units.

A rule is a function ``(VehicleContext, trips) -> Iterable[Finding]`` registered with ``@rule(kind)``;
the evaluator runs every registered rule, so adding one means writing one function here (and its label
and message below). Findings store the kind and its parameters; the text is rendered with ``_()`` when
an alert is read, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from houqin_common.i18n import N_, _
from telemetry_ingest.energy.config import AnalyticsSettings
from telemetry_ingest.fleet import rules
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


@dataclass(frozen=True)
class VehicleContext:
    """Everything a rule may look at for one vehicle and window (no I/O)."""

    vehicle: Vehicle
    fixes: list[rules.Fix]
    settings: AnalyticsSettings
    cal: rules.UseCalendar
    fence: rules.Fence | None
    requests: list[rules.RequestWindow]
    now: datetime | None
    last_fix_at: datetime | None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.settings.request_grace_min)


@dataclass(frozen=True)
class TripView:
    segment: rules.TripSegment
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
            yield Finding(AlertKind(t.use), severity, t.segment.start.ts, t.segment.end.ts, params)


@rule(AlertKind.unrequested_use)
def unrequested_use(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    if not ctx.settings.require_trip_requests:
        return
    for t in trips:
        if t.request_id is None:
            yield Finding(
                AlertKind.unrequested_use,
                Severity.violation,
                t.segment.start.ts,
                t.segment.end.ts,
                {"distance_km": t.km},
            )


@rule(AlertKind.overspeed)
def overspeed(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    limit = ctx.vehicle.speed_limit_kmh or ctx.settings.default_speed_limit_kmh
    for run in rules.overspeed(ctx.fixes, limit_kmh=limit, min_duration_s=ctx.settings.overspeed_min_s):
        params = {"peak_kmh": round(run.peak), "limit_kmh": round(limit), "duration_s": round(run.duration_s)}
        yield Finding(AlertKind.overspeed, Severity.violation, run.start, run.end, params)


@rule(AlertKind.idling)
def idling(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    s = ctx.settings
    for run in rules.idling(ctx.fixes, idle_speed_kmh=s.idle_speed_kmh, max_idle_s=s.idle_max_s):
        params = {"duration_s": run.duration_s, "idle_min": round(run.duration_s / 60)}
        yield Finding(AlertKind.idling, Severity.warning, run.start, run.end, params)


@rule(AlertKind.geofence_exit)
def geofence_exit(ctx: VehicleContext, trips: Sequence[TripView]) -> Iterable[Finding]:
    """Leaving the parking fence is a violation outside permitted hours unless a request covers it."""
    if ctx.fence is None:
        return
    for f in rules.fence_exits(ctx.fixes, ctx.fence):
        use = ctx.cal.classify(f.ts, ctx.tz)
        covered = any(r.start - ctx.grace <= f.ts <= r.end + ctx.grace for r in ctx.requests)
        severity = Severity.info if use == "permitted" or covered else Severity.violation
        yield Finding(AlertKind.geofence_exit, severity, f.ts, None, {"lat": f.lat, "lon": f.lon, "use": use})


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
    segments, _stops = rules.segment(ctx.fixes, segment_params(ctx.settings))
    trips = [
        TripView(t, rules.classify_trip(t, ctx.cal, ctx.tz), rules.match_request(t, ctx.requests, grace=ctx.grace))
        for t in segments
    ]
    findings = [f for fn in RULES.values() for f in fn(ctx, trips)]
    v = ctx.vehicle
    alerts = []
    for f in findings:
        params = {"plate": v.plate, **f.params}
        alerts.append(
            {
                "kind": f.kind.value,
                "severity": f.severity.value,
                "subject_type": "vehicle",
                "subject_id": v.id,
                "vendor_id": v.vendor_id,
                "department": v.department,
                "started_at": f.start,
                "ended_at": f.end,
                "message": MESSAGES[f.kind].format(**params),
                "details": params,
            }
        )
    rows = []
    for t in trips:
        seg = t.segment
        # a trip's violation count feeds the compliance ratio of the KPI
        violations = sum(
            1 for f in findings if f.severity is Severity.violation and seg.start.ts <= f.start <= seg.end.ts
        )
        rows.append(
            {
                "start_at": seg.start.ts,
                "end_at": seg.end.ts,
                "distance_km": seg.distance_m / 1000.0,
                "max_speed_kmh": seg.max_speed_kmh,
                "start_lat": seg.start.lat,
                "start_lon": seg.start.lon,
                "end_lat": seg.end.lat,
                "end_lon": seg.end.lon,
                "request_id": t.request_id,
                "violations": violations,
            }
        )
    return rows, alerts
