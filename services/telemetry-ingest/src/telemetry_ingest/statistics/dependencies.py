"""Dependencies of the statistics routes: the accounting settings (conversion coefficients, policy numbers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from telemetry_ingest.statistics.config import AccountingSettings, get_accounting_settings

Coefficients = Annotated[AccountingSettings, Depends(get_accounting_settings)]
