"""Dependencies of the contract routes: the contract from the path, visible to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from contracts_api.common import STAFF_READERS
from contracts_api.contracts import service
from contracts_api.models import Contract
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession

READERS = (*STAFF_READERS, Role.vendor)


async def valid_contract_id(
    session: DbSession,
    contract_id: str = Path(max_length=36, description="contract id"),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Contract:
    """The contract of the path, 404 when unknown or (for a vendor token) another vendor's."""
    return await service.get(session, contract_id=contract_id, scope=vendor_scope(principal))


VisibleContract = Annotated[Contract, Depends(valid_contract_id)]
