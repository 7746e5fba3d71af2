"""Hot reads: SQLAlchemy Core selects compiled once, run straight on an asyncpg pool of the app's.

A read through the SQLAlchemy asyncio session costs most of a request's CPU before PostgreSQL does
anything (greenlet hand-offs, ORM loading, result wrapping; figures in docs/operations.md). The busiest
GET endpoints instead build their select with Core (columns, never ORM entities) and
:func:`compiled` turns it into the asyncpg dialect's SQL text once per *statement shape*: every value
that changes between requests is a named ``bindparam`` and is passed at execution, so the cached text
never carries one request's values into another. :class:`ReadPool` runs it in autocommit (the request
reads, so BEGIN/COMMIT would be two wasted round-trips) on asyncpg's own ``Pool``, and the rows go
straight into the response model, serialised once (:func:`json_response`, :func:`page_response`).
Only public API of SQLAlchemy and asyncpg is used (the import-privacy test holds every module to that).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import FromClause, Select
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from houqin_common.db import libpq_url
from houqin_common.pagination import PageParams, items_adapter, page_of

M = TypeVar("M", bound=BaseModel)
#: A row as the hot path returns it (an asyncpg Record: read by column name)
Row = Mapping[str, Any]

#: Compiles every hot statement; the same dialect class the engine uses, so the text is what it would send.
_DIALECT = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]

#: Errors that mean the connection (or the server) is gone, not that the statement was wrong.
_DISCONNECTS: tuple[type[BaseException], ...] = (asyncpg.exceptions.ConnectionDoesNotExistError, OSError)


def _unavailable(exc: BaseException) -> Exception:
    """SQLSTATE 08006 (connection failure): the error handlers answer 503 problem+json, as for the engine."""
    error: Exception = asyncpg.exceptions.ConnectionFailureError(f"database connection lost: {exc}")
    return error


class CachedValueError(ValueError):
    """A statement meant for the compiled cache carries a literal value instead of a named bindparam."""


@dataclass(frozen=True, slots=True)
class CompiledRead:
    """One select as asyncpg receives it: the SQL text and its parameter names in ``$n`` order."""

    sql: str
    names: tuple[str, ...]
    #: the dialect's conversion of each parameter (None: sent as is)
    processors: tuple[Callable[[Any], Any] | None, ...]

    #: the distinct parameter names (a name used twice in the statement is passed once)
    expected: frozenset[str]
    #: whether any parameter has a processor (most have none: the values go through untouched)
    converts: bool

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for ``values`` (every parameter must be given, no extras)."""
        if values.keys() != self.expected:
            raise TypeError(f"parameters {sorted(values)} do not match the statement's {sorted(self.expected)}")
        if not self.converts:
            return [values[n] for n in self.names]
        return [
            values[n] if proc is None or values[n] is None else proc(values[n])
            for n, proc in zip(self.names, self.processors, strict=True)
        ]


def compile_read(stmt: Select[Any]) -> CompiledRead:
    """``stmt`` compiled for asyncpg. Refuses a literal value (it would be cached with the text). Rows are
    used as asyncpg decodes them (no SQLAlchemy result processing): the response model validates them."""
    compiled = stmt.compile(dialect=_DIALECT)
    for bind in compiled.binds.values():
        if bind.value is not None or bind.callable is not None or bind.expanding:
            raise CachedValueError(f"a literal value ({bind.key}) in a cached statement: use a named bindparam")
    names = tuple(compiled.positiontup or ())
    binds = {bind.key: bind for bind in compiled.binds.values()}
    processors = tuple(binds[n].type.dialect_impl(_DIALECT).bind_processor(_DIALECT) for n in names)
    return CompiledRead(
        sql=compiled.string,
        names=names,
        processors=processors,
        expected=frozenset(names),
        converts=any(p is not None for p in processors),
    )


_CACHE: dict[Hashable, CompiledRead] = {}


def compiled(shape: Hashable, build: Callable[[], Select[Any]]) -> CompiledRead:
    """The compiled form of the statement ``build()`` returns, built and compiled on the first call for
    ``shape`` only. ``shape`` names what changes the SQL text (which filters are present, the sort);
    it is made of enumerated choices, never request values, so the cache stays small."""
    read = _CACHE.get(shape)
    if read is None:
        read = _CACHE[shape] = compile_read(build())
    return read


def columns_of(table: FromClause, model: type[BaseModel], *, skip: Iterable[str] = ()) -> list[Any]:
    """The columns of ``table`` that ``model`` reads (same names), in the model's field order."""
    omitted = set(skip)
    return [table.c[name] for name in model.model_fields if name not in omitted and name in table.c]


Listener = Callable[[str, tuple[Any, ...]], None]


def _arguments(read: CompiledRead, values: Mapping[str, Any], listeners: list[Listener]) -> list[Any]:
    """The positional arguments of ``read``, shown to the listeners first."""
    args = read.args(values)
    for listener in listeners:
        listener(read.sql, tuple(args))
    return args


class ReadConnection:
    """One pooled asyncpg connection for the statements of one request (autocommit)."""

    __slots__ = ("_conn", "_listeners")

    def __init__(self, conn: Any, listeners: list[Listener]) -> None:
        self._conn = conn
        self._listeners = listeners

    async def fetch(self, read: CompiledRead, **values: Any) -> list[Row]:
        rows: list[Row] = await self._conn.fetch(read.sql, *_arguments(read, values, self._listeners))
        return rows

    async def fetchrow(self, read: CompiledRead, **values: Any) -> Row | None:
        row: Row | None = await self._conn.fetchrow(read.sql, *_arguments(read, values, self._listeners))
        return row

    async def fetchval(self, read: CompiledRead, **values: Any) -> Any:
        return await self._conn.fetchval(read.sql, *_arguments(read, values, self._listeners))


async def _no_reset(conn: Any) -> None:
    """Releases a connection as it is: hot reads run in autocommit and leave no session state behind."""


class ReadPool:
    """The app's connections for hot reads, beside the SQLAlchemy engine: an asyncpg ``Pool`` opened lazily
    (no connection before the first read), with no reset query on release (the reads run in autocommit
    and change no session state, so the reset would be a wasted round-trip).

    A disconnect met by a statement is raised as SQLSTATE 08006, which the error handlers answer with
    503 problem+json. ``listeners`` see every statement and its arguments (the benchmark captures them
    to replay the same SQL through plain asyncpg).
    """

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.listeners: list[Listener] = []

    @classmethod
    async def open(cls, url: str, *, size: int, idle_s: float) -> ReadPool:
        """At most ``size`` connections, opened when first needed; one idle ``idle_s`` seconds is closed."""
        pool = await asyncpg.create_pool(
            libpq_url(url),
            min_size=0,
            max_size=size,
            max_inactive_connection_lifetime=idle_s,
            reset=_no_reset,
        )
        return cls(pool)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[ReadConnection]:
        """One connection for several statements of a request."""
        try:
            async with self.pool.acquire() as conn:
                yield ReadConnection(conn, self.listeners)
        except _DISCONNECTS as exc:
            raise _unavailable(exc) from exc

    async def fetchrow(self, read: CompiledRead, **values: Any) -> Row | None:
        """The first row of one statement (a connection only for its duration; asyncpg's own acquire,
        without the generator-based :meth:`connection`, which costs a few microseconds per request)."""
        args = _arguments(read, values, self.listeners)
        try:
            async with self.pool.acquire() as conn:
                row: Row | None = await conn.fetchrow(read.sql, *args)
                return row
        except _DISCONNECTS as exc:
            raise _unavailable(exc) from exc

    async def fetch(self, read: CompiledRead, **values: Any) -> list[Row]:
        """The rows of one statement (a connection only for its duration; see :meth:`fetchrow`)."""
        args = _arguments(read, values, self.listeners)
        try:
            async with self.pool.acquire() as conn:
                rows: list[Row] = await conn.fetch(read.sql, *args)
                return rows
        except _DISCONNECTS as exc:
            raise _unavailable(exc) from exc

    async def close(self) -> None:
        await self.pool.close()


def read_pool(request: Request) -> ReadPool:
    """The app's hot-read pool. Routes take the ``Request`` and call this rather than declaring a
    dependency: each dependency FastAPI resolves costs CPU on every request (docs/operations.md)."""
    pool: ReadPool = request.app.state.read_pool
    return pool


def json_response(item: BaseModel) -> Response:
    """``item`` serialised once. The route keeps its ``response_model`` for the OpenAPI document; a
    returned Response is sent as is instead of being validated and serialised a second time."""
    return Response(content=item.model_dump_json(), media_type="application/json")


def page_items(model: type[M], rows: Iterable[Mapping[str, Any]]) -> list[M]:
    """Rows (asyncpg records of one statement, or dicts) validated as ``model`` in one pydantic-core call.
    Records become dicts by zipping with the first one's keys (a fifth cheaper than ``dict(record)``);
    dicts are read as they are (validation does not change its input)."""
    rows = list(rows)
    if rows and not isinstance(rows[0], dict):
        keys = tuple(rows[0].keys())
        rows = [dict(zip(keys, row.values(), strict=True)) for row in rows]
    return items_adapter(model).validate_python(rows)


def page_response(model: type[M], items: list[M], total: int, params: PageParams) -> Response:
    """The page envelope of already validated ``items``, serialised once."""
    return json_response(page_of(model, items, total, params))
