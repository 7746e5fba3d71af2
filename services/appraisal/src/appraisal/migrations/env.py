"""Alembic environment of appraisal: schema `appraisal`, version table `appraisal.alembic_version`."""

from appraisal import models  # noqa: F401  (registers every table on the metadata)
from appraisal.models import Base
from houqin_common.db import run_alembic_env

run_alembic_env(Base.metadata, "appraisal")
