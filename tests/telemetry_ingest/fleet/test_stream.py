"""The live stream delivers a committed position as soon as its NOTIFY houqin_positions arrives."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx

from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.db import libpq_url
from support import LiveServices, auth

INSERT = (
    "INSERT INTO telemetry.position (vehicle_id, ts, lat, lon, speed_kmh, ignition) VALUES ($1, $2, $3, $4, 30, true)"
)


async def _next_event(lines: AsyncIterator[str], wanted: str) -> tuple[str, dict[str, Any]]:
    """The first event whose data mentions ``wanted`` (events about other subjects are skipped)."""
    event = ""
    async for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and wanted in line:
            return event, json.loads(line.removeprefix("data: "))
    raise AssertionError("stream ended")


async def test_position_and_alert_arrive_live(
    live_services: LiveServices, make_token: Callable[..., str], database_url: str, fleet_data: Any
) -> None:
    vehicle = fleet_data.vehicle(vendor_id="stream-vendor")
    other = fleet_data.vehicle(vendor_id="stream-other")
    # A safety re-poll of a minute: an event arriving within seconds can only have been woken by the
    # commit's NOTIFY, which is what delivers it within a second (the latency is printed, not asserted:
    # the suite makes no timing assertions on a shared CI machine).
    url = live_services.start("telemetry", extra_env={"HOUQIN_TELEMETRY_STREAM_POLL_S": "60"})
    conn = await asyncpg.connect(libpq_url(database_url))
    try:
        async with (
            httpx.AsyncClient(base_url=url, timeout=90) as client,
            client.stream("GET", "/v1/stream", headers=auth(make_token(Role.supervisor))) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            assert (await anext(lines)).startswith(": listening")
            ts = clock.now().replace(microsecond=0) - timedelta(seconds=5)
            async with conn.transaction():
                await conn.execute(INSERT, vehicle, ts, 31.81, 119.97)
                await conn.execute("NOTIFY houqin_positions")
            committed = time.monotonic()
            event, data = await asyncio.wait_for(_next_event(lines, vehicle), timeout=5)
            elapsed = time.monotonic() - committed
            print(f"\nlive stream latency: {elapsed * 1000:.0f} ms")
            assert event == "position" and data["lat"] == 31.81
            assert datetime.fromisoformat(data["ts"]) == ts

            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO telemetry.alert (kind, severity, subject_type, subject_id, vendor_id, started_at,"
                    " message) VALUES ('overspeed', 'violation', 'vehicle', $1, 'stream-vendor', $2, 'test')",
                    vehicle,
                    ts,
                )
                await conn.execute("NOTIFY houqin_alerts")
            event, data = await asyncio.wait_for(_next_event(lines, vehicle), timeout=5)
            assert event == "alert" and data["kind"] == "overspeed"

        # a vendor (token in the query, as EventSource sends it) gets only its own vehicles
        token = make_token(Role.vendor, vendor_id="stream-vendor")
        async with (
            httpx.AsyncClient(base_url=url, timeout=10) as client,
            client.stream("GET", "/v1/stream", params={"access_token": token}) as response,
        ):
            lines = response.aiter_lines()
            assert (await anext(lines)).startswith(": listening")
            async with conn.transaction():
                await conn.execute(INSERT, other, ts - timedelta(seconds=10), 31.0, 119.0)
                await conn.execute(INSERT, vehicle, ts + timedelta(seconds=10), 31.82, 119.98)
                await conn.execute("NOTIFY houqin_positions")
            seen: list[str] = []
            async for line in lines:
                if line.startswith("data: "):
                    seen.append(json.loads(line.removeprefix("data: "))["vehicle_id"])
                    break
            assert seen == [vehicle]
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            assert (await client.get("/v1/stream")).status_code == 401
            assert (await client.get("/v1/stream", headers=auth(make_token(Role.staff)))).status_code == 403
    finally:
        await conn.close()
