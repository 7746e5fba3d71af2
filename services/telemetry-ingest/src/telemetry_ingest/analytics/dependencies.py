"""The analytics settings as a FastAPI dependency (one instance per process)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from telemetry_ingest.analytics.config import AnalyticsSettings, get_analytics_settings


async def analytics_settings() -> AnalyticsSettings:
    """The process's analytics settings. ``async`` because FastAPI runs a plain ``def`` dependency in a
    worker thread (two thread hand-offs per request), even one that only returns a cached object."""
    return get_analytics_settings()


Settings = Annotated[AnalyticsSettings, Depends(analytics_settings)]
