"""Hot reads: SQLAlchemy Core selects compiled once, run straight on the app's own asyncpg connections.

A read through the SQLAlchemy asyncio session costs 0.7-1 ms of CPU per request before PostgreSQL does
anything (greenlet hand-offs, ORM loading, result wrapping; measured in docs/operations.md). The busiest
GET endpoints instead build their select with Core (columns, never ORM entities) and
:func:`compiled` turns it into the asyncpg dialect's SQL text once per *statement shape*: every value
that changes between requests is a named ``bindparam`` and is passed at execution, so the cached text
never carries one request's values into another. :class:`ReadPool` runs it in autocommit (the request
reads, so BEGIN/COMMIT would be two wasted round-trips) on connections it keeps itself (asyncpg's own
pool costs as much CPU per request as the query: see :class:`_Connections`), and the rows go straight
into the response model, serialised once (:func:`json_response`, :func:`page_response`). Such routes
are usually also :func:`houqin_common.hotroutes.hot`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import FromClause, Select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from houqin_common.db import libpq_url
from houqin_common.pagination import PageParams, items_adapter, page_of

M = TypeVar("M", bound=BaseModel)
#: A row as the hot path returns it (an asyncpg Record: read by column name)
Row = Mapping[str, Any]

#: Compiles every hot statement; the same dialect class the engine uses, so the text is what it would send.
_DIALECT = PGDialect_asyncpg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]

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
    processors = tuple(compiled._bind_processors.get(n) for n in names)
    return CompiledRead(
        sql=compiled.string,
        names=names,
        processors=processors,  # type: ignore[arg-type]
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


class _Connections:
    """The hot reads' connections: a stack of idle ones, at most ``size`` open, waiters served in turn.

    asyncpg's ``Pool`` costs ~40 µs of CPU per acquire/release pair (a shielded task and a timer per
    release, a reset step, holder bookkeeping: measured in docs/operations.md), as much as the detail
    query itself. Hot reads need none of it: each runs in autocommit and changes no session state. So a
    connection goes back as it is, unless its block raised (a statement error, a cancellation, a lost
    server: it may be mid-protocol), in which case it is closed and its place freed. An idle connection
    the server closed is seen as closed at acquire and replaced (no ping); one idle longer than
    ``idle_s`` is closed when met, at acquire or (the oldest) at release, so a quiet service shrinks.
    """

    def __init__(self, dsn: str, *, size: int, idle_s: float) -> None:
        self._dsn = dsn
        self._size = size
        self._idle_s = idle_s
        self._idle: list[tuple[Any, float]] = []  # (connection, idle since), most recent last
        self._open = 0
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._closed = False

    async def acquire(self) -> Any:
        now = time.monotonic()
        while self._idle:
            conn, since = self._idle.pop()
            if not conn.is_closed() and now - since < self._idle_s:
                return conn
            self._discard(conn)
        if self._closed:
            raise _unavailable(ConnectionError("the read pool is closed"))
        if self._open < self._size:
            self._open += 1  # a new place, filled below
        else:
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():  # handed something just before the cancel
                    handed = waiter.result()
                    if handed is None:
                        self._free_place()
                    else:
                        self.release(handed, broken=False)
                raise
            if conn is not None:
                return conn
            # the place of a closed connection was handed over: open one in it
        try:
            return await asyncpg.connect(self._dsn)
        except BaseException:
            self._free_place()
            raise

    def release(self, conn: Any, *, broken: bool) -> None:
        if broken or self._closed or conn.is_closed():
            self._discard(conn)
            return
        if self._wake(conn):
            return
        now = time.monotonic()
        self._idle.append((conn, now))
        if now - self._idle[0][1] >= self._idle_s:  # the longest idle one: close it
            self._discard(self._idle.pop(0)[0])

    def _wake(self, conn: Any) -> bool:
        """Hands ``conn`` (or, for None, a free place) to the first waiter still waiting."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def _free_place(self) -> None:
        """A connection's place is free: it passes to the first waiter (who opens a connection in it),
        else there is one connection fewer. Never both, so at most ``size`` are ever open."""
        if self._closed or not self._wake(None):
            self._open -= 1

    def _discard(self, conn: Any) -> None:
        if not conn.is_closed():
            conn.terminate()
        self._free_place()

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            self._open -= 1
            await conn.close()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(_unavailable(ConnectionError("the read pool is closed")))


class ReadPool:
    """The app's connections for hot reads, beside the SQLAlchemy engine (see :class:`_Connections`).

    A disconnect met by a statement is raised as SQLSTATE 08006, which the error handlers answer with
    503 problem+json. ``listeners`` see every statement and its arguments (the benchmark captures them
    to replay the same SQL through plain asyncpg).
    """

    def __init__(self, connections: _Connections) -> None:
        self.connections = connections
        self.listeners: list[Listener] = []

    @classmethod
    async def open(cls, url: str, *, size: int, idle_s: float) -> ReadPool:
        """At most ``size`` connections, opened when first needed; one idle ``idle_s`` seconds is closed."""
        return cls(_Connections(libpq_url(url), size=size, idle_s=idle_s))

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[ReadConnection]:
        """One connection for several statements of a request."""
        try:
            conn = await self.connections.acquire()
        except _DISCONNECTS as exc:
            raise _unavailable(exc) from exc
        broken = True
        try:
            yield ReadConnection(conn, self.listeners)
            broken = False
        except _DISCONNECTS as exc:
            raise _unavailable(exc) from exc
        finally:
            self.connections.release(conn, broken=broken)

    async def fetchrow(self, read: CompiledRead, **values: Any) -> Row | None:
        """The first row of one statement (a connection only for its duration)."""
        async with self.connection() as conn:
            return await conn.fetchrow(read, **values)

    async def fetch(self, read: CompiledRead, **values: Any) -> list[Row]:
        """The rows of one statement (a connection only for its duration)."""
        async with self.connection() as conn:
            return await conn.fetch(read, **values)

    async def close(self) -> None:
        await self.connections.close()


def read_pool(request: Request) -> ReadPool:
    """The app's hot-read pool. Routes take the ``Request`` and call this rather than declaring a
    dependency: each dependency FastAPI resolves costs ~15 µs per request (measured in-process)."""
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
