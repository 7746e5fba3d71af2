"""Lists each domain router of telemetry-ingest, served under /v1."""

from fastapi import APIRouter

from telemetry_ingest.alarms.router import router as alarms_router
from telemetry_ingest.deadletters.router import router as deadletters_router
from telemetry_ingest.devices.router import router as devices_router
from telemetry_ingest.energy.router import router as energy_router
from telemetry_ingest.fleet.router import alerts_router, requests_router
from telemetry_ingest.fleet.router import router as fleet_router
from telemetry_ingest.ingest.router import router as ingest_router
from telemetry_ingest.kpis.router import router as kpis_router
from telemetry_ingest.statistics.router import router as statistics_router
from telemetry_ingest.tariffs.router import router as tariffs_router

#: every domain router, each included by the app itself under ``API_PREFIX`` (see
#: :func:`houqin_common.app.create_service_app`: one level of routers, not a /v1 router around them)
API_PREFIX = "/v1"
ROUTERS: list[APIRouter] = [
    devices_router,
    ingest_router,
    deadletters_router,
    tariffs_router,
    statistics_router,
    energy_router,
    fleet_router,
    requests_router,
    alerts_router,
    kpis_router,
    alarms_router,
]

OPENAPI_TAGS: list[dict[str, str]] = []
OPENAPI_TAGS.append({"name": "devices", "description": "Device registry: meters, vehicles, geofences, calendars"})
OPENAPI_TAGS.append({"name": "ingest", "description": "HTTP batch ingest for gateways without MQTT"})
OPENAPI_TAGS.append({"name": "dead-letters", "description": "Messages the ingest rejected"})
OPENAPI_TAGS.append({"name": "energy", "description": "Consumption, year-on-year, savings, base load and waste"})
OPENAPI_TAGS.append(
    {"name": "tariffs", "description": "Versioned tariffs per energy type (time-of-use electricity, water, gas, heat)"}
)
OPENAPI_TAGS.append(
    {
        "name": "energy statistics",
        "description": "Public-institution energy statistics: kgce, carbon, per capita, per m², payback",
    }
)
OPENAPI_TAGS.append({"name": "fleet", "description": "Official vehicles: positions, tracks, trips, distance, rules"})
OPENAPI_TAGS.append({"name": "trip requests", "description": "Vehicle-use requests (用车申请) and approval"})
OPENAPI_TAGS.append({"name": "alerts", "description": "Alerts of vehicles and meters, live stream"})
OPENAPI_TAGS.append(
    {"name": "alarms", "description": "Alarm panels (fire, intrusion/video), their zones and events (issue 26)"}
)
OPENAPI_TAGS.append({"name": "kpis", "description": "Energy and vehicle KPIs for the appraisal service"})
