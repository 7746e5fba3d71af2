"""Small helpers shared by the domains of contracts-api."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from houqin_common.auth import READ_ALL, Role


def _two_decimals(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite amount")
    if value < 0:
        raise ValueError("must not be negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("must have at most two decimals (CNY fen)")
    return value.quantize(Decimal("0.01"))


Money = Annotated[
    Decimal,
    AfterValidator(_two_decimals),
    Field(description="amount in CNY, at most two decimals, not negative", examples=["620000.00"]),
]

#: roles that read vendor-related data besides the vendor itself
STAFF_READERS = (Role.procurement, Role.supervisor, Role.reviewer, *READ_ALL)
