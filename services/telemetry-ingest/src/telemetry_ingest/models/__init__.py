"""All ORM models of telemetry-ingest (one package avoids import cycles between domains)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from houqin_common.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(schema="telemetry", naming_convention=NAMING_CONVENTION)


from telemetry_ingest.models import rollups  # noqa: E402, F401  (SQL-only tables on the metadata)
from telemetry_ingest.models.accounting import BuildingArea, EnergyGoal, Headcount, Investment, Tariff  # noqa: E402, F401
from telemetry_ingest.models.alarms import AlarmEvent, AlarmPanel, AlarmZone  # noqa: E402
from telemetry_ingest.models.analytics import Alert, Trip, TripRequest  # noqa: E402, F401
from telemetry_ingest.models.devices import (  # noqa: E402
    Calendar,
    EnergyCode,
    Geofence,
    Meter,
    TerminalConnection,
    Vehicle,
)
from telemetry_ingest.models.series import DeadLetter, Position, Reading  # noqa: E402

__all__ = [
    "AlarmEvent",
    "AlarmPanel",
    "AlarmZone",
    "Base",
    "Calendar",
    "DeadLetter",
    "EnergyCode",
    "Geofence",
    "Meter",
    "Position",
    "Reading",
    "TerminalConnection",
    "Vehicle",
]
