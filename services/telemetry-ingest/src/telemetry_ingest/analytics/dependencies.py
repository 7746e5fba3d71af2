"""The analytics settings as a FastAPI dependency (one instance per process)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from telemetry_ingest.analytics.config import AnalyticsSettings, get_analytics_settings

Settings = Annotated[AnalyticsSettings, Depends(get_analytics_settings)]
