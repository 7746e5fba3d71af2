"""Mounts each domain router of appraisal under /v1."""

from fastapi import APIRouter

api_router = APIRouter(prefix="/v1")

OPENAPI_TAGS: list[dict[str, str]] = []
