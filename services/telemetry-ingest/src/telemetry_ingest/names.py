"""Vendor names beside telemetry's ``vendor_id``s (vehicles, positions, KPIs), from contracts-api.

The directory is the shared :class:`houqin_common.names.NameDirectory` (the register cached for
``names_ttl_s``, asked again ``names_retry_s`` after a failure). Fallback: when contracts-api cannot be
reached and no earlier copy is held, ``vendor_name`` is null; the id stays, and the field's description
says why a name can be missing. Telemetry never fails for want of a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request

from houqin_common.names import NameDirectory


async def get_names(request: Request) -> NameDirectory:
    """The app's directory (an app built without one, as some tests do, names nobody); async: FastAPI would run a
    plain function in a worker thread."""
    directory: NameDirectory | None = getattr(request.app.state, "names", None)
    return directory if directory is not None else NameDirectory(None)


Directory = Annotated[NameDirectory, Depends(get_names)]

#: what the answers' field descriptions say of a missing name
VENDOR_NAME_NOTE = "the vendor's registered name (contracts-api); null when contracts-api could not be reached"


async def vendor_names(directory: NameDirectory, vendor_ids: Iterable[str | None]) -> dict[str, str]:
    """Registered names of ``vendor_ids`` (those known; empty when contracts-api is unreachable)."""
    ids = {v for v in vendor_ids if v}
    if not ids:
        return {}
    return dict((await directory.resolve(ids, ())).vendors)


async def name_items(directory: NameDirectory, items: Iterable[Any]) -> None:
    """Fill ``vendor_name`` of answer models beside their ``vendor_id`` (null when unknown or unreachable)."""
    items = [i for i in items if getattr(i, "vendor_id", None)]
    names = await vendor_names(directory, (i.vendor_id for i in items))
    for item in items:
        item.vendor_name = names.get(item.vendor_id)
