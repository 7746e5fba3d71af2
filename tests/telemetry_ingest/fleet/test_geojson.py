"""Latest positions and tracks are valid RFC 7946 GeoJSON; distance per day ignores GPS jumps."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.fleet.synthetic import Track

TZ = ZoneInfo("Asia/Shanghai")
HQ = (31.81, 119.97)


def _position(p: Any) -> None:
    assert isinstance(p, list) and len(p) in (2, 3), p
    assert all(isinstance(c, int | float) for c in p)
    assert -180 <= p[0] <= 180 and -90 <= p[1] <= 90  # longitude first


def check_geojson(obj: Any) -> None:
    """The RFC 7946 rules our documents rely on (types, member names, coordinate order and arity)."""
    kind = obj["type"]
    if kind == "FeatureCollection":
        assert isinstance(obj["features"], list)
        for f in obj["features"]:
            assert f["type"] == "Feature"
            check_geojson(f)
    elif kind == "Feature":
        assert "geometry" in obj and "properties" in obj
        assert obj["properties"] is None or isinstance(obj["properties"], dict)
        if "id" in obj:
            assert isinstance(obj["id"], str | int)
        if obj["geometry"] is not None:
            check_geojson(obj["geometry"])
    elif kind == "Point":
        _position(obj["coordinates"])
    elif kind == "LineString":
        assert len(obj["coordinates"]) >= 2
        for p in obj["coordinates"]:
            _position(p)
    else:
        raise AssertionError(f"unexpected GeoJSON type {kind}")
    json.dumps(obj, allow_nan=False)  # no NaN/Infinity anywhere


async def test_latest_positions_and_track_are_valid_geojson(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vendor = fleet_data.uid("geo-vendor")
    vehicle = fleet_data.vehicle(vendor_id=vendor)
    day = datetime(2026, 6, 2, tzinfo=TZ)
    t = Track(day.replace(hour=9), *HQ).stand(60, ignition=False).drive(600, 36).drive(600, 36, heading_deg=0)
    t.jump(8000).drive(300, 36, heading_deg=0).stand(600, ignition=False)
    fleet_data.positions(vehicle, t.fixes)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.vendor, vendor_id=vendor))

    latest = await client.get("/v1/fleet/positions/latest", headers=headers)
    assert latest.status_code == 200, latest.text
    check_geojson(latest.json())
    [feature] = latest.json()["features"]  # the vendor sees only its own vehicle
    assert feature["id"] == vehicle
    assert feature["geometry"]["coordinates"] == [t.fixes[-1].lon, t.fixes[-1].lat]
    assert feature["properties"]["online"] is False

    window = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
    full = await client.get(f"/v1/fleet/vehicles/{vehicle}/track", params=window, headers=headers)
    assert full.status_code == 200, full.text
    check_geojson(full.json())
    assert full.json()["geometry"]["type"] == "LineString"
    assert full.json()["properties"]["jumps_dropped"] == 1
    assert full.json()["properties"]["points"] == len(t.fixes) - 1

    simple = await client.get(
        f"/v1/fleet/vehicles/{vehicle}/track", params={**window, "simplify_m": 10}, headers=headers
    )
    check_geojson(simple.json())
    coords = simple.json()["geometry"]["coordinates"]
    assert len(coords) < 10  # two straight legs: start, corner, end (+ standstill duplicates at most)
    assert coords[0] == full.json()["geometry"]["coordinates"][0]
    assert coords[-1] == full.json()["geometry"]["coordinates"][-1]

    empty = await client.get(
        f"/v1/fleet/vehicles/{vehicle}/track",
        params={"start": (day - timedelta(days=2)).isoformat(), "end": (day - timedelta(days=1)).isoformat()},
        headers=headers,
    )
    check_geojson(empty.json())
    assert empty.json()["geometry"] is None

    distance = await client.get("/v1/fleet/distance", params={**window, "vehicle_id": vehicle}, headers=headers)
    assert distance.status_code == 200, distance.text
    [row] = distance.json()
    assert row["bucket"] == date(2026, 6, 2).isoformat()
    # 6 + 6 + 3 km driven; the 8 km jump (there and back) is not counted
    assert row["km"] == pytest.approx(15.0, abs=0.2)
