"""Small helpers shared by the domains of contracts-api."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field

from houqin_common.auth import READ_ALL, Role
from houqin_common.i18n import _

T = TypeVar("T")

MAX_AMOUNT = Decimal("1000000000000")


def _two_decimals(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(_("must be a finite amount"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("must have at most two decimals (CNY fen)"))
    return value.quantize(Decimal("0.01"))


Money = Annotated[
    Decimal,
    Field(ge=0, lt=MAX_AMOUNT, description="amount in CNY, at most two decimals, not negative", examples=["620000.00"]),
    AfterValidator(_two_decimals),
]

#: roles that read vendor-related data besides the vendor itself
STAFF_READERS = (Role.procurement, Role.supervisor, Role.reviewer, *READ_ALL)
