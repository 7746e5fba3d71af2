"""Mounts each domain router of telemetry-ingest under /v1."""

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

api_router = APIRouter(prefix="/v1")
api_router.include_router(devices_router)
api_router.include_router(ingest_router)
api_router.include_router(deadletters_router)
api_router.include_router(tariffs_router)
api_router.include_router(statistics_router)
api_router.include_router(energy_router)
api_router.include_router(fleet_router)
api_router.include_router(requests_router)
api_router.include_router(alerts_router)
api_router.include_router(kpis_router)
api_router.include_router(alarms_router)

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
