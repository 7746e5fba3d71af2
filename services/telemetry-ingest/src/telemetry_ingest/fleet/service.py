"""Fleet analytics: segmentation on read, the rule evaluator that stores trips and alerts, requests."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common import clock
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.i18n import _
from telemetry_ingest.analytics import alerts as alerts_store
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.devices.service import get_vehicle
from telemetry_ingest.fleet import alert_rules, arrays, exports, geojson, repository, rules
from telemetry_ingest.fleet.alert_rules import AlertKind, WithdrawReason
from telemetry_ingest.fleet.schemas import (
    DistanceRow,
    EvaluationRead,
    SegmentsRead,
    StopRead,
    TrackFeature,
    TripRead,
    TripRequestCreate,
    TripRequestDecision,
    TripRequestRead,
)
from telemetry_ingest.models import Geofence, Vehicle
from telemetry_ingest.models.analytics import Alert, TripRequest
from telemetry_ingest.rollups import repository as rollups_repository


def _fence(g: Geofence | None) -> rules.Fence | None:
    return None if g is None else rules.Fence(g.kind, g.geometry, g.center_lat, g.center_lon, g.radius_m)


async def use_calendar(session: AsyncSession, vehicle: Vehicle) -> UseCalendar:
    if vehicle.calendar_id is None:
        return UseCalendar()
    return UseCalendar.of(await repository.calendar(session, vehicle.calendar_id))


async def parking_fence(session: AsyncSession, vehicle: Vehicle) -> rules.Fence | None:
    if vehicle.parking_geofence_id is None:
        return None
    return _fence(await repository.geofence(session, vehicle.parking_geofence_id))


def _check_window(start: datetime, end: datetime, max_days: int = 62) -> None:
    if end <= start:
        raise UnprocessableEntity(_("end must be after start"))
    if end - start > timedelta(days=max_days):
        raise UnprocessableEntity(_("the window may span at most {max_days} days", max_days=max_days))


async def segments(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle_id: str,
    vendor_id: str | None,
    start: datetime,
    end: datetime,
) -> SegmentsRead:
    """Trips and stops of one vehicle computed from its positions (nothing stored), over columns."""
    _check_window(start, end)
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)
    raw = await repository.track(session, vehicle_id=vehicle.id, start=start, end=end)
    read, _clean = await _segments(session, settings=settings, vehicle=vehicle, raw=raw, start=start, end=end)
    return read


async def _segments(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle: Vehicle,
    raw: arrays.FixArrays,
    start: datetime,
    end: datetime,
) -> tuple[SegmentsRead, arrays.FixArrays]:
    """:func:`segments` of the vehicle's fixes ``raw`` of the window, and those fixes without GPS jumps."""
    tz = ZoneInfo(settings.timezone)
    cal = await use_calendar(session, vehicle)
    requests = await repository.approved_requests(
        session, vehicle_id=vehicle.id, start=start - timedelta(days=1), end=end
    )
    windows = [rules.RequestWindow(r.id, r.window_start, r.window_end) for r in requests]
    grace = timedelta(minutes=settings.request_grace_min)
    params = alert_rules.segment_params(settings)
    clean = arrays.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
    trips, stops = arrays.segment(clean, params)
    classes = arrays.use_classes(clean, cal, tz) if trips else None
    reads = []
    for t in trips:
        use = arrays.trip_use(classes, t) if classes is not None else "permitted"
        request_id = rules.request_covering(t.start_at, t.end_at, windows, grace=grace)
        reads.append(
            TripRead(
                vehicle_id=vehicle.id,
                plate=vehicle.plate,
                start_at=t.start_at,
                end_at=t.end_at,
                distance_km=t.distance_m / 1000.0,
                duration_s=t.duration_s,
                max_speed_kmh=t.max_speed_kmh,
                start=(t.start_lon, t.start_lat),
                end=(t.end_lon, t.end_lat),
                use=use,
                request_id=request_id,
            )
        )
    read = SegmentsRead(
        vehicle_id=vehicle.id,
        plate=vehicle.plate,
        distance_km=arrays.distance_km(clean, max_speed_kmh=settings.max_plausible_speed_kmh),
        jumps_dropped=len(raw) - len(clean),
        trips=reads,
        stops=[
            StopRead(start_at=s.start, end_at=s.end, duration_s=s.duration_s, location=(s.lon, s.lat)) for s in stops
        ],
    )
    return read, clean


async def track(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle_id: str,
    vendor_id: str | None,
    start: datetime,
    end: datetime,
    simplify_m: float | None,
) -> TrackFeature:
    """The track over the window (at most ``track_max_points`` fixes), GPS jumps removed, optionally
    simplified, computed over columns. An empty or inverted window is refused (422)."""
    if end <= start:
        raise UnprocessableEntity(_("end must be after start"))
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)
    limit = settings.track_max_points
    cols = await repository.track(session, vehicle_id=vehicle.id, start=start, end=end, limit=limit)
    kept = arrays.drop_jumps(cols, max_speed_kmh=settings.max_plausible_speed_kmh)
    n = len(kept)
    return geojson.line_feature(
        vehicle.id,
        list(zip(kept.lon.tolist(), kept.lat.tolist(), strict=True)),
        plate=vehicle.plate,
        start=start,
        end=end,
        raw_points=len(cols),
        first_ts=kept.ts(0) if n else None,
        last_ts=kept.ts(n - 1) if n else None,
        tolerance_m=simplify_m,
    )


async def vehicle_day(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle_id: str,
    vendor_id: str | None,
    start: datetime,
    end: datetime,
) -> exports.VehicleDay:
    """The track (the same fixes as :func:`track` answers) and the trips of a window, for a file export.

    The fixes are read once: the segments take all of them, the track the first ``track_max_points`` (the
    very fixes it would read with that limit; their jumps are dropped again only when the limit cut them)."""
    _check_window(start, end)
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)
    raw = await repository.track(session, vehicle_id=vehicle.id, start=start, end=end)
    seg, kept = await _segments(session, settings=settings, vehicle=vehicle, raw=raw, start=start, end=end)
    if len(raw) > settings.track_max_points:
        first = raw.take(np.arange(settings.track_max_points))
        kept = arrays.drop_jumps(first, max_speed_kmh=settings.max_plausible_speed_kmh)
    return exports.VehicleDay(
        vehicle_id=vehicle.id,
        plate=vehicle.plate,
        start=start,
        end=end,
        fixes=kept,
        trips=seg.trips,
        tz=ZoneInfo(settings.timezone),
    )


async def _evaluate_many(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicles: list[Vehicle],
    start: datetime,
    end: datetime,
    now: datetime | None,
) -> tuple[int, int, int]:
    """Store the trips of the window for every vehicle (replacing earlier results), raise the alerts found
    and withdraw the window's alerts no longer found (late data changed the track). Returns (trips,
    created, withdrawn). The fixes come as columns in one query, the vehicles' requests, calendars and
    fences in one query each, the trips in one insert: the per-vehicle cost is the array passes."""
    if not vehicles:
        return 0, 0, 0
    ids = [v.id for v in vehicles]
    tracks = await repository.tracks(session, vehicle_ids=ids, start=start, end=end)
    requests: dict[str, list[rules.RequestWindow]] = defaultdict(list)
    for r in await repository.approved_requests_many(
        session, vehicle_ids=ids, start=start - timedelta(days=1), end=end
    ):
        requests[r.vehicle_id or ""].append(rules.RequestWindow(r.id, r.window_start, r.window_end))
    cals = await repository.calendars(session, {v.calendar_id for v in vehicles if v.calendar_id is not None})
    fences = await repository.geofences(
        session, {v.parking_geofence_id for v in vehicles if v.parking_geofence_id is not None}
    )
    last = await repository.last_fix_at_many(session, ids, now) if now is not None else {}
    trips: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    for vehicle in vehicles:
        found_trips, found_alerts = alert_rules.detect(
            alert_rules.VehicleContext(
                vehicle=vehicle,
                track=arrays.drop_jumps(tracks[vehicle.id], max_speed_kmh=settings.max_plausible_speed_kmh),
                settings=settings,
                cal=UseCalendar.of(cals.get(vehicle.calendar_id) if vehicle.calendar_id is not None else None),
                fence=_fence(fences.get(vehicle.parking_geofence_id) if vehicle.parking_geofence_id else None),
                requests=requests.get(vehicle.id, []),
                now=now,
                last_fix_at=last.get(vehicle.id),
            )
        )
        trips += [{"vehicle_id": vehicle.id, **t} for t in found_trips]
        alerts += found_alerts
    await repository.replace_trips_many(session, vehicle_ids=ids, start=start, end=end, trips=trips)
    created = await alerts_store.insert_alerts(session, alerts)
    withdrawn = await _withdraw_not_found(session, vehicle_ids=ids, start=start, end=end, alerts=alerts)
    withdrawn += await withdraw_contradicted_offline(session, settings=settings, vehicle_id=ids)
    await session.flush()
    return len(trips), created, withdrawn


async def _withdraw_not_found(
    session: AsyncSession, *, vehicle_ids: list[str], start: datetime, end: datetime, alerts: list[dict[str, Any]]
) -> int:
    """Withdraw the active track alerts of the window the evaluation no longer finds (the offline rule
    has its own withdrawal: a later fix contradicts it)."""
    found = {(a["subject_id"], a["kind"], a["started_at"]) for a in alerts}
    withdrawn = 0
    track_kinds = [k.value for k in alert_rules.TRACK_KINDS]
    for alert in await repository.active_alerts(
        session, vehicle_id=vehicle_ids, kinds=track_kinds, start=start, end=end
    ):
        if (alert.subject_id, alert.kind, alert.started_at) not in found:
            alert.withdrawn_at, alert.withdrawn_reason = clock.now(), WithdrawReason.not_found_on_reevaluation.value
            withdrawn += 1
    return withdrawn


async def withdraw_contradicted_offline(
    session: AsyncSession, *, settings: AnalyticsSettings, vehicle_id: str | list[str]
) -> int:
    """Withdraw ``device_offline`` alerts a late fix contradicts: the terminal did report within the
    offline threshold after the alert's last fix (its backlog was still in transit)."""
    withdrawn = 0
    threshold = timedelta(minutes=settings.offline_after_min)
    for alert in await repository.active_alerts(
        session, vehicle_id=vehicle_id, kinds=[AlertKind.device_offline.value], start=None, end=None
    ):
        nxt = await repository.first_fix_after(session, vehicle_id=alert.subject_id, after=alert.started_at)
        if nxt is not None and nxt - alert.started_at < threshold:
            alert.withdrawn_at, alert.withdrawn_reason = clock.now(), WithdrawReason.late_data.value
            alert.details = {**alert.details, "late_fix_at": nxt.isoformat()}
            withdrawn += 1
    return withdrawn


async def evaluate(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    start: datetime,
    end: datetime,
    vehicle_id: str | None,
    vendor_id: str | None,
    now: datetime | None,
) -> EvaluationRead:
    """Segment trips and run every rule for the window; store trips (replacing the window's) and alerts
    (idempotent). The offline check runs at ``now``, by default only for a window reaching the present."""
    _check_window(start, end)
    if vehicle_id is not None:
        targets = [await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)]
    else:
        targets = await repository.vehicles(session, vendor_id=vendor_id)
    if now is None:
        # offline is a live condition: checked for a window reaching the present, or at an explicit time
        current = clock.now()
        now = current if end >= current else None
    trips, created, withdrawn = await _evaluate_many(
        session, settings=settings, vehicles=targets, start=start, end=end, now=now
    )
    return EvaluationRead(vehicles=len(targets), trips=trips, alerts_created=created, alerts_withdrawn=withdrawn)


async def evaluate_touched(
    session: AsyncSession, *, settings: AnalyticsSettings, ranges: list[tuple[str, date, date]]
) -> EvaluationRead:
    """Re-evaluate every (vehicle, [first_day, after_day)) that received positions, of any age."""
    tz = ZoneInfo(settings.timezone)
    vehicles = {v.id: v for v in await repository.vehicles(session, vendor_id=None)}
    total_trips = created = withdrawn = 0
    # the vehicles touched over the same days are evaluated together
    by_window: dict[tuple[date, date], list[Vehicle]] = defaultdict(list)
    for vehicle_id, first, after in ranges:
        vehicle = vehicles.get(vehicle_id)
        if vehicle is not None:
            by_window[(first, after)].append(vehicle)
    for (first, after), group in by_window.items():
        start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
        t, c, w = await _evaluate_many(session, settings=settings, vehicles=group, start=start, end=end, now=None)
        total_trips, created, withdrawn = total_trips + t, created + c, withdrawn + w
    return EvaluationRead(
        vehicles=len({r[0] for r in ranges}), trips=total_trips, alerts_created=created, alerts_withdrawn=withdrawn
    )


async def distance(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    start: datetime,
    end: datetime,
    unit: str,
    vehicle_id: str | None,
    vendor_id: str | None,
) -> list[DistanceRow]:
    """km per vehicle and local day/month: whole days from the daily rollup up to the first day with
    positions not yet rolled up, the raw positions for the rest (the same answer either way)."""
    tz = ZoneInfo(settings.timezone)
    first = start.astimezone(tz).date()
    if datetime.combine(first, time(0), tz) < start:
        first += timedelta(days=1)
    after = end.astimezone(tz).date()
    if settings.use_rollup and first < after:
        scope, params = repository.vehicle_scope_sql(vehicle_id, vendor_id)
        pending = await rollups_repository.first_pending_hour(
            session, kind="vehicle", subjects_sql=scope, params=params, start=start, end=end
        )
        if pending is not None:
            after = min(after, pending.astimezone(tz).date())
    km: dict[tuple[str, date], float] = defaultdict(float)
    parts = [(start, end)]
    if settings.use_rollup and first < after:
        for r in await repository.rolled_distance(
            session, first=first, after=after, unit=unit, vehicle_id=vehicle_id, vendor_id=vendor_id
        ):
            km[(r["vehicle_id"], r["bucket"])] += r["km"]
        parts = [(start, datetime.combine(first, time(0), tz)), (datetime.combine(after, time(0), tz), end)]
    for s, e in parts:
        if s >= e:
            continue
        for r in await repository.distance(
            session,
            start=s,
            end=e,
            unit=unit,
            tz=settings.timezone,
            max_speed_kmh=settings.max_plausible_speed_kmh,
            vehicle_id=vehicle_id,
            vendor_id=vendor_id,
        ):
            km[(r["vehicle_id"], r["bucket"].date())] += r["km"]
    plates = {v.id: v.plate for v in await repository.vehicles(session, vendor_id=vendor_id)}
    return [DistanceRow(vehicle_id=v, plate=plates.get(v), bucket=b, km=value) for (v, b), value in sorted(km.items())]


async def request_reads(session: AsyncSession, requests: list[TripRequest]) -> list[TripRequestRead]:
    """The requests as answered: each names its vehicle by plate (one look-up for all of them)."""
    plates = await repository.plates(session, {r.vehicle_id for r in requests if r.vehicle_id is not None})
    return [
        TripRequestRead.model_validate(r).model_copy(update={"plate": plates.get(r.vehicle_id or "")}) for r in requests
    ]


async def file_request(session: AsyncSession, *, request_in: TripRequestCreate, requester: str) -> TripRequest:
    if request_in.vehicle_id is not None and await repository.vehicle(session, request_in.vehicle_id) is None:
        raise UnprocessableEntity(_("vehicle {vehicle_id} is not registered", vehicle_id=request_in.vehicle_id))
    req = TripRequest(
        id=str(uuid.uuid4()),
        requester=requester,
        status="pending",
        **request_in.model_dump(),
    )
    session.add(req)
    await session.flush()
    await session.refresh(req)
    return req


async def decide_request(
    session: AsyncSession, *, request_id: str, decision: TripRequestDecision, supervisor: str, now: datetime
) -> TripRequest:
    req = await repository.get_request(session, request_id)
    if req is None:
        raise NotFound(_("trip request {request_id} not found", request_id=request_id))
    if req.status != "pending":
        raise Conflict(_("trip request {request_id} is already {status}", request_id=request_id, status=req.status))
    if decision.approve:
        vehicle_id = decision.vehicle_id or req.vehicle_id
        if vehicle_id is None:
            raise UnprocessableEntity(_("assign a vehicle to approve the request"))
        if await repository.vehicle(session, vehicle_id) is None:
            raise UnprocessableEntity(_("vehicle {vehicle_id} is not registered", vehicle_id=vehicle_id))
        req.vehicle_id = vehicle_id
    req.status = "approved" if decision.approve else "rejected"
    req.decided_by = supervisor
    req.decided_at = now
    req.decision_note = decision.note
    await session.flush()
    return req


async def latest_positions(session: AsyncSession, *, vendor_id: str | None) -> list[dict[str, Any]]:
    """The newest fix of every vehicle (of the vendor, for a vendor token)."""
    return await repository.latest_positions(session, vendor_id=vendor_id)


async def list_trip_requests(
    session: AsyncSession,
    *,
    status: str | None,
    vehicle_id: str | None,
    requester: str | None,
    vendor_id: str | None,
    order: Any,
    limit: int,
    offset: int,
) -> tuple[list[TripRequest], int]:
    return await repository.list_requests(
        session,
        status=status,
        vehicle_id=vehicle_id,
        requester=requester,
        vendor_id=vendor_id,
        order=order,
        limit=limit,
        offset=offset,
    )


async def list_alerts(
    session: AsyncSession, *, filters: dict[str, Any], order: Any, limit: int, offset: int
) -> tuple[list[Alert], int]:
    return await repository.list_alerts(session, filters=filters, order=order, limit=limit, offset=offset)
