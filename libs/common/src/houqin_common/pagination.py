"""Query parameters shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field, TypeAdapter

from houqin_common.errors import UnprocessableEntity
from houqin_common.i18n import _
from houqin_common.schemas import Page

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int
    sort: str | None

    def order(self, allowed: set[str], default: str) -> tuple[str, bool]:
        """(field, descending) from ``sort`` such as ``-created_at``; 422 for an unknown field."""
        raw = self.sort or default
        desc = raw.startswith("-")
        name = raw.lstrip("-+")
        if name not in allowed:
            raise UnprocessableEntity(
                _(
                    "cannot sort by {name}; choose one of {allowed}",
                    name=repr(name),
                    allowed=", ".join(sorted(allowed)),
                ),
                **{"invalid-params": [{"name": "query.sort", "reason": _("unknown sort field")}]},
            )
        return name, desc


LIMIT = Query(50, ge=1, le=500, description="page size")
OFFSET = Query(0, ge=0, le=1_000_000, description="records to skip")
SORT_DESCRIPTION = "field to sort by; prefix `-` for descending"


async def page_params(
    limit: int = LIMIT,
    offset: int = OFFSET,
    sort: str | None = Query(None, max_length=64, description=SORT_DESCRIPTION),
) -> PageParams:
    """``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in a worker thread,
    two thread hand-offs per list request."""
    return PageParams(limit=limit, offset=offset, sort=sort)


def sorted_page(example: str) -> Callable[..., Awaitable[PageParams]]:
    """:func:`page_params` of a list whose OpenAPI shows ``example`` as its ``sort``: a value this list
    accepts (one example for every list documented sorts the lists that refuse it; tested in
    tests/deploy/test_openapi_examples.py)."""

    async def params(
        limit: int = LIMIT,
        offset: int = OFFSET,
        sort: str | None = Query(None, max_length=64, description=SORT_DESCRIPTION, examples=[example]),
    ) -> PageParams:
        return PageParams(limit=limit, offset=offset, sort=sort)

    return params


class PageFields(Protocol):
    """The page of a list's query model (see :func:`limit_field`)."""

    @property
    def limit(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def sort(self) -> str | None: ...


def limit_field() -> Any:
    """``limit`` of a list's query model: the busiest lists take their filters and page as one pydantic model
    (``Annotated[Model, Query()]``), validated by FastAPI in one call instead of one per parameter and
    without the page's dependency level (≈ 20-30 µs a request; docs/operations.md). The OpenAPI parameters
    are the same as :func:`sorted_page`'s when the model's fields come in the same order (filters, then
    ``limit``, ``offset``, ``sort``)."""
    return Field(50, ge=1, le=500, description="page size")


def offset_field() -> Any:
    """``offset`` of a list's query model (see :func:`limit_field`)."""
    return Field(0, ge=0, le=1_000_000, description="records to skip")


def sort_field(example: str) -> Any:
    """``sort`` of a list's query model, documented with ``example`` as :func:`sorted_page` does."""
    return Field(None, max_length=64, description=SORT_DESCRIPTION, examples=[example])


def page_of_query(query: PageFields) -> PageParams:
    """The :class:`PageParams` of a list's query model."""
    return PageParams(limit=query.limit, offset=query.offset, sort=query.sort)


async def page_window(limit: int = LIMIT, offset: int = OFFSET) -> PageParams:
    """The page of a list in a fixed order: no ``sort`` to offer (or to ignore silently)."""
    return PageParams(limit=limit, offset=offset, sort=None)


@lru_cache(maxsize=256)
def items_adapter(model: type[M]) -> TypeAdapter[list[M]]:
    """One validator of a list of ``model`` per model: a page's rows in one pydantic-core call."""
    return TypeAdapter(list[model])  # type: ignore[valid-type]


@lru_cache(maxsize=256)
def page_class(model: type[M]) -> type[Page[M]]:
    """``Page[model]``, looked up once per model (pydantic's parametrisation cache costs a few µs a request)."""
    return Page[model]  # type: ignore[valid-type]


def page_of(model: type[M], items: list[M], total: int, params: PageParams) -> Page[M]:
    """The envelope of already validated ``items``, built without checking them again."""
    return page_class(model).model_construct(items=items, total=total, limit=params.limit, offset=params.offset)


def to_page(model: type[M], rows: Iterable[Any], total: int, params: PageParams) -> Page[M]:
    """The envelope of one page: ``rows`` (ORM objects or mappings) read as ``model``.

    The rows are validated in one pydantic-core call, and the envelope is built from the validated
    items without checking them again (FastAPI then serialises the same instance straight to JSON).
    """
    return page_of(model, items_adapter(model).validate_python(list(rows), from_attributes=True), total, params)
