"""Alembic environment of telemetry-ingest: schema `telemetry`, version table `telemetry.alembic_version`."""

from houqin_common.db import run_alembic_env
from telemetry_ingest import models  # noqa: F401  (registers every table on the metadata)
from telemetry_ingest.models import Base

run_alembic_env(Base.metadata, "telemetry")
