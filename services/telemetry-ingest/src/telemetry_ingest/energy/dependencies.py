"""The meters a query covers, as a FastAPI dependency (a vendor token only ever sees its own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.errors import NotFound
from houqin_common.i18n import _
from telemetry_ingest.energy.repository import MeterFilter

READERS = (Role.supervisor, Role.vendor, *READ_ALL)


async def meter_filter(
    principal: Annotated[Principal, Depends(require_roles(*READERS))],
    meter_id: Annotated[list[str] | None, Query(description="only these meters (repeatable)")] = None,
    building: Annotated[str | None, Query(max_length=100, description="only this building")] = None,
    zone: Annotated[str | None, Query(max_length=100, description="only this zone")] = None,
    sub_item: Annotated[
        str | None, Query(max_length=5, description="energy code; includes its sub-items (e.g. 01B00 = HVAC)")
    ] = None,
    vendor_id: Annotated[str | None, Query(max_length=64, description="only meters of this responsible vendor")] = None,
) -> MeterFilter:
    """Meters the query covers; a vendor token is restricted to its own meters."""
    scope = vendor_scope(principal)
    if scope is not None:
        if vendor_id is not None and vendor_id != scope:
            raise NotFound(_("vendor {id} not found", id=vendor_id))
        vendor_id = scope
    return MeterFilter(meter_ids=meter_id, building=building, zone=zone, sub_item=sub_item, vendor_id=vendor_id)


Meters = Annotated[MeterFilter, Depends(meter_filter)]
