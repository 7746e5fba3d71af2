"""Dependencies of the statistics routes: the accounting settings (conversion coefficients, policy numbers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from telemetry_ingest.statistics.config import AccountingSettings, get_accounting_settings


async def accounting_settings() -> AccountingSettings:
    """The process's accounting settings. ``async`` because FastAPI runs a plain ``def`` dependency in a
    worker thread (two thread hand-offs per request), even one that only returns a cached object."""
    return get_accounting_settings()


Coefficients = Annotated[AccountingSettings, Depends(accounting_settings)]
