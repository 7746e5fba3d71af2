"""Dependencies shared by the domain routers: settings, the outbound clients, today's date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from appraisal.names import NameDirectory
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.auth import Principal
from houqin_common.clients import ContractsClient, TelemetryClient
from houqin_common.errors import NotFound
from houqin_common.i18n import _


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_telemetry(request: Request) -> TelemetryClient:
    client: TelemetryClient = request.app.state.telemetry
    return client


async def get_contracts(request: Request) -> ContractsClient:
    client: ContractsClient = request.app.state.contracts
    return client


async def get_names(request: Request) -> NameDirectory:
    return name_directory(request)


def name_directory(request: Request) -> NameDirectory:
    """The app's name directory. The hottest reads (a complaint, the complaints) take the ``Request`` and
    call this instead of declaring :data:`Directory`: each dependency FastAPI solves costs CPU on every
    request (docs/operations.md)."""
    directory: NameDirectory = request.app.state.names
    return directory


async def get_today() -> date:
    return clock.today()


async def get_now() -> datetime:
    return clock.now()


AppSettings = Annotated[Settings, Depends(get_app_settings)]
Telemetry = Annotated[TelemetryClient, Depends(get_telemetry)]
Contracts = Annotated[ContractsClient, Depends(get_contracts)]
Directory = Annotated[NameDirectory, Depends(get_names)]
Today = Annotated[date, Depends(get_today)]
Now = Annotated[datetime, Depends(get_now)]


def check_vendor_scope(principal: Principal, vendor_id: str | None, what: str = "record") -> None:
    """A vendor-only token sees its own records; another vendor's answers 404, never 403."""
    if principal.is_vendor_only and vendor_id != principal.vendor_id:
        raise NotFound(_("{what} not found", what=_(what)))
