"""Alembic environment of contracts-api: schema `contracts`, version table `contracts.alembic_version`."""

from contracts_api import models  # noqa: F401  (registers every table on the metadata)
from contracts_api.models import Base
from houqin_common.db import run_alembic_env

run_alembic_env(Base.metadata, "contracts")
