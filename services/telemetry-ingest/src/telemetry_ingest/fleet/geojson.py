"""GeoJSON (RFC 7946) documents of positions and tracks: (longitude, latitude) order, WGS 84."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telemetry_ingest.fleet import rules
from telemetry_ingest.fleet.schemas import (
    LineStringGeometry,
    PointGeometry,
    PositionCollection,
    PositionFeature,
    TrackFeature,
)


def position_collection(
    rows: list[dict[str, Any]],
    *,
    now: datetime,
    offline_after_min: float,
    vendor_names: dict[str, str] | None = None,
) -> PositionCollection:
    """The newest fixes as Points; ``vendor_names`` (id -> registered name) fills ``vendor_name`` (null when
    contracts-api could not be reached)."""
    vendor_names = vendor_names or {}
    features = [
        PositionFeature(
            id=r["id"],
            geometry=PointGeometry(coordinates=(r["lon"], r["lat"])),
            properties={
                "vehicle_id": r["id"],
                "plate": r["plate"],
                "department": r["department"],
                "vendor_id": r["vendor_id"],
                "vendor_name": vendor_names.get(r["vendor_id"]) if r["vendor_id"] else None,
                "ts": r["ts"].isoformat(),
                "speed_kmh": r["speed_kmh"],
                "heading": r["heading"],
                "ignition": r["ignition"],
                "online": (now - r["ts"]).total_seconds() < offline_after_min * 60,
            },
        )
        for r in rows
    ]
    return PositionCollection(features=features)


def track_feature(
    vehicle_id: str,
    fixes: list[rules.Fix],
    *,
    start: datetime,
    end: datetime,
    raw_points: int,
    tolerance_m: float | None,
    plate: str | None = None,
) -> TrackFeature:
    return line_feature(
        vehicle_id,
        [(f.lon, f.lat) for f in fixes],
        plate=plate,
        start=start,
        end=end,
        raw_points=raw_points,
        first_ts=fixes[0].ts if fixes else None,
        last_ts=fixes[-1].ts if fixes else None,
        tolerance_m=tolerance_m,
    )


def line_feature(
    vehicle_id: str,
    coords: list[tuple[float, float]],
    *,
    start: datetime,
    end: datetime,
    raw_points: int,
    first_ts: datetime | None,
    last_ts: datetime | None,
    tolerance_m: float | None,
    plate: str | None = None,
) -> TrackFeature:
    """The track of the kept (lon, lat) points, simplified with ``tolerance_m`` when given."""
    kept = len(coords)
    if tolerance_m:
        coords = rules.douglas_peucker(coords, tolerance_m)
    geometry = LineStringGeometry(coordinates=coords) if len(coords) >= 2 else None
    return TrackFeature(
        id=vehicle_id,
        geometry=geometry,
        properties={
            "vehicle_id": vehicle_id,
            "plate": plate,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "points": len(coords),
            "raw_points": raw_points,
            "jumps_dropped": raw_points - kept,
            "first_ts": first_ts.isoformat() if first_ts is not None else None,
            "last_ts": last_ts.isoformat() if last_ts is not None else None,
        },
    )
