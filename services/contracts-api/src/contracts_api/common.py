"""Small helpers shared by the domains of contracts-api."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field

from houqin_common.auth import READ_ALL, Role
from houqin_common.pagination import PageParams
from houqin_common.schemas import Page

T = TypeVar("T")

MAX_AMOUNT = Decimal("1000000000000")


def _two_decimals(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("must have at most two decimals (CNY fen)")
    return value.quantize(Decimal("0.01"))


Money = Annotated[
    Decimal,
    Field(ge=0, lt=MAX_AMOUNT, description="amount in CNY, at most two decimals, not negative", examples=["620000.00"]),
    AfterValidator(_two_decimals),
]

#: roles that read vendor-related data besides the vendor itself
STAFF_READERS = (Role.procurement, Role.supervisor, Role.reviewer, *READ_ALL)


def page_of(items: Sequence[T], page: PageParams, *, sorts: dict[str, Callable[[T], Any]], default: str) -> Page[T]:
    """A page of a small in-memory collection (sub-resources of one record), sorted as asked."""
    field, desc = page.order(set(sorts), default)
    ordered = sorted(items, key=lambda item: (sorts[field](item) is None, sorts[field](item)), reverse=desc)
    return Page(
        items=ordered[page.offset : page.offset + page.limit], total=len(items), limit=page.limit, offset=page.offset
    )
