"""Mounts each domain router of telemetry-ingest under /v1."""

from fastapi import APIRouter

from telemetry_ingest.deadletters.router import router as deadletters_router
from telemetry_ingest.devices.router import router as devices_router
from telemetry_ingest.ingest.router import router as ingest_router

api_router = APIRouter(prefix="/v1")
api_router.include_router(devices_router)
api_router.include_router(ingest_router)
api_router.include_router(deadletters_router)

OPENAPI_TAGS: list[dict[str, str]] = []
OPENAPI_TAGS.append({"name": "devices", "description": "Device registry: meters, vehicles, geofences, calendars"})
OPENAPI_TAGS.append({"name": "ingest", "description": "HTTP batch ingest for gateways without MQTT"})
OPENAPI_TAGS.append({"name": "dead-letters", "description": "Messages the ingest rejected"})
