"""`houqin simulate`: registers the simulated devices and publishes their data over MQTT (QoS 1)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import paho.mqtt.client as paho
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from houqin_common import clock
from houqin_common.db import libpq_url
from houqin_common.i18n import _
from telemetry_ingest.simulator.alarms import AlarmStream, SimPanel, make_panels
from telemetry_ingest.simulator.model import HOLIDAYS, HQ, SimMeter, SimVehicle, make_fleet, position, step_vehicle

TICK_S = 0.25


def register(
    database_url: str, meters: list[SimMeter], vehicles: list[SimVehicle], panels: list[SimPanel] | None = None
) -> None:
    """Insert the simulated devices (idempotent) and the Administrative Center parking geofence."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO telemetry.geofence (id, name, kind, center_lat, center_lon, radius_m) "
            "VALUES ('G-HQ', '市行政中心停车场', 'circle', %s, %s, 300) ON CONFLICT DO NOTHING",
            HQ,
        )
        cur.execute(
            "INSERT INTO telemetry.calendar (id, name, holidays) VALUES ('CAL-WORK', '工作日 7:30-18:30', %s)"
            " ON CONFLICT DO NOTHING",
            (sorted(HOLIDAYS),),
        )
        cur.executemany(
            "INSERT INTO telemetry.meter (id, name, building, floor, zone, energy_type, sub_item, vendor_id) "
            "VALUES (%s, %s, %s, %s, %s, '01000', %s, %s) ON CONFLICT DO NOTHING",
            [
                (
                    m.id,
                    f"{m.building}座 {m.floor}层 {m.sub_item}",
                    m.building,
                    m.floor,
                    "行政中心",
                    m.sub_item,
                    m.vendor_id,
                )
                for m in meters
            ],
        )
        cur.executemany(
            "INSERT INTO telemetry.vehicle (id, plate, department, vehicle_type, terminal_id, "
            "parking_geofence_id, calendar_id, speed_limit_kmh, vendor_id) "
            "VALUES (%s, %s, %s, 'sedan', %s, 'G-HQ', 'CAL-WORK', 80, %s) ON CONFLICT DO NOTHING",
            [(v.id, v.plate, v.department, f"BD-{v.id}", v.vendor_id) for v in vehicles],
        )
        for p in panels or []:
            cur.execute(
                "INSERT INTO telemetry.alarm_panel (id, name, system, building) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (p.id, p.name, p.system, p.building),
            )
            cur.executemany(
                "INSERT INTO telemetry.alarm_zone (panel_id, zone, building, floor, room, label)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(p.id, z.zone, z.building, z.floor, z.room, z.label) for z in p.zones],
            )


def run(
    *,
    mqtt_url: str,
    database_url: str | None,
    vehicles: int,
    meters: int,
    speedup: float,
    duration_s: float | None,
    start: datetime | None = None,
    seed: int = 7,
    report: Callable[[str], None] | None = None,
) -> int:
    """Publish until ``duration_s`` (wall clock) has passed, or forever; returns messages published."""
    # Accelerated time must not run into the future (the ingest rejects it): by default the simulation
    # starts a week back and continues in real time once it has caught up with the clock.
    sim_start = start or clock.now() - timedelta(days=7)
    sim_meters, sim_vehicles = make_fleet(vehicles, meters, sim_start, seed)
    panels = make_panels()
    alarms = AlarmStream(panels, sim_start, random.Random(seed + 2))
    if database_url:
        register(database_url, sim_meters, sim_vehicles, panels)
    url = urlsplit(mqtt_url)
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"houqin-simulator-{seed}")
    if url.username:
        client.username_pw_set(url.username, url.password)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    client.loop_start()
    rng = random.Random(seed + 1)
    wall_start = time.monotonic()
    sent = 0
    last_report = wall_start
    sim_prev = sim_start
    try:
        while duration_s is None or time.monotonic() - wall_start < duration_s:
            now = min(sim_start + timedelta(seconds=(time.monotonic() - wall_start) * speedup), clock.now())
            dt = now - sim_prev
            sim_prev = now
            for m in sim_meters:
                while m.next_at <= now:
                    payload = m.reading(m.next_at, rng)
                    client.publish(f"houqin/v1/meters/{m.id}/readings", json.dumps(payload), qos=1)
                    sent += 1
            for v in sim_vehicles:
                step_vehicle(v, now, dt, rng)
                if v.next_at <= now:
                    client.publish(f"houqin/v1/vehicles/{v.id}/positions", json.dumps(position(v, now, rng)), qos=1)
                    sent += 1
            for topic, event in alarms.due(now):
                client.publish(topic, json.dumps(event, ensure_ascii=False), qos=1)
                sent += 1
            if report is not None and time.monotonic() - last_report >= 10:
                moving = sum(1 for v in sim_vehicles if v.moving)
                report(
                    _(
                        "{at} sent={sent} vehicles moving={moving}",
                        at=now.isoformat(timespec="minutes"),
                        sent=sent,
                        moving=moving,
                    )
                )
                last_report = time.monotonic()
            time.sleep(TICK_S)
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        client.loop_stop()
    return sent
