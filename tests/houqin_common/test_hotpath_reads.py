"""The hot read layer (houqin_common.hotpath): statements compiled once per shape and run on the app's
asyncpg pool, with request values never cached, and disconnects answered as the engine's are."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, select

from houqin_common import hotpath
from houqin_common.app import create_service_app
from houqin_common.db import libpq_url
from houqin_common.hotpath import CachedValueError, compile_read, compiled, json_response, read_pool
from houqin_common.settings import ServiceSettings
from support import TEST_SECRET, asgi_client

PROBE = f"hotpath_probe_{uuid.uuid4().hex[:8]}"
probe = Table(PROBE, MetaData(), Column("id", String, primary_key=True), Column("kind", String), Column("n", Integer))


class ProbeRead(BaseModel):
    id: str
    kind: str
    n: int


def _by_id() -> Any:
    return select(probe.c.id, probe.c.kind, probe.c.n).where(probe.c.id == bindparam("id"))


def _by_kind(with_min: bool) -> Any:
    stmt = select(probe.c.id, probe.c.kind, probe.c.n).where(probe.c.kind == bindparam("kind"))
    if with_min:
        stmt = stmt.where(probe.c.n >= bindparam("min_n"))
    return stmt.order_by(probe.c.id)


router = APIRouter(prefix="/v1")


@router.get("/probe/{probe_id}", response_model=ProbeRead)
async def read_probe(probe_id: str, request: Request) -> Response:
    row = await read_pool(request).fetchrow(compiled(("test.probe", PROBE), _by_id), id=probe_id)
    assert row is not None
    return json_response(ProbeRead.model_validate(dict(row)))


@router.get("/pid")
async def pid(request: Request) -> dict[str, int]:
    async with read_pool(request).connection() as conn:
        return {"pid": int(await conn.fetchval(compiled("test.pid", lambda: select(func.pg_backend_pid()))))}


@router.get("/sleep")
async def sleep(request: Request) -> dict[str, str]:
    stmt = compiled("test.sleep", lambda: select(func.pg_sleep(bindparam("seconds", type_=Integer))))
    async with read_pool(request).connection() as conn:
        await conn.fetchval(stmt, seconds=30)
    return {"slept": "yes"}


@pytest.fixture(scope="module")
async def probe_rows(pg_admin_url: str, database_url: str) -> AsyncIterator[None]:
    conn = await asyncpg.connect(libpq_url(database_url))
    try:
        await conn.execute(f"CREATE TABLE {PROBE} (id text PRIMARY KEY, kind text NOT NULL, n int NOT NULL)")
        await conn.executemany(
            f"INSERT INTO {PROBE} VALUES ($1, $2, $3)",
            [("a1", "a", 1), ("a2", "a", 2), ("a3", "a", 3), ("b1", "b", 1), ("b2", "b", 2)],
        )
        yield
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {PROBE}")
        await conn.close()


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    cfg = ServiceSettings(database_url=database_url, jwt_secret=TEST_SECRET, log_json=False, db_pool_size=1)
    yield create_service_app(name="hot-reads", title="hot reads", description="test", settings=cfg, routers=[router])


async def _pool(database_url: str) -> hotpath.ReadPool:
    return await hotpath.ReadPool.open(database_url, size=2, idle_s=60)


# --- compiled statements ----------------------------------------------------------------------------


async def test_a_shape_is_compiled_once_and_runs_with_each_calls_values(database_url: str, probe_rows: None) -> None:
    builds: list[bool] = []

    def build(with_min: bool) -> Any:
        builds.append(with_min)
        return _by_kind(with_min)

    shape = ("test.by_kind", uuid.uuid4().hex)
    pool = await _pool(database_url)
    try:
        first = compiled((*shape, False), lambda: build(False))
        assert [r["id"] for r in await pool.fetch(first, kind="a")] == ["a1", "a2", "a3"]
        again = compiled((*shape, False), lambda: build(False))
        assert again is first
        # the cached text carries no value of the first call: another kind gives the other rows
        assert [r["id"] for r in await pool.fetch(again, kind="b")] == ["b1", "b2"]
        # another shape (a filter present) is another statement, with its own parameters
        narrower = compiled((*shape, True), lambda: build(True))
        assert narrower.sql != first.sql and narrower.names == ("kind", "min_n")
        assert [r["id"] for r in await pool.fetch(narrower, kind="a", min_n=2)] == ["a2", "a3"]
        assert [r["id"] for r in await pool.fetch(narrower, kind="b", min_n=2)] == ["b2"]
    finally:
        await pool.close()
    assert builds == [False, True]


def test_a_literal_value_in_a_cached_statement_is_refused() -> None:
    with pytest.raises(CachedValueError, match="literal value"):
        compile_read(select(probe.c.id).where(probe.c.kind == "a"))
    # positive control: the same statement with a named parameter compiles, placeholders in asyncpg's style
    read = compile_read(select(probe.c.id).where(probe.c.kind == bindparam("kind")))
    assert "$1" in read.sql and read.names == ("kind",)


def test_the_parameters_must_match_the_statement() -> None:
    read = compile_read(_by_kind(True))
    assert read.args({"kind": "a", "min_n": 2}) == ["a", 2]
    with pytest.raises(TypeError, match="do not match"):
        read.args({"kind": "a"})
    with pytest.raises(TypeError, match="do not match"):
        read.args({"kind": "a", "min_n": 2, "limit": 5})


def test_a_parameter_used_twice_is_passed_once() -> None:
    stmt = select(probe.c.id).where((probe.c.kind == bindparam("x")) | (probe.c.id == bindparam("x")))
    read = compile_read(stmt)
    assert read.args({"x": "a1"}).count("a1") == len(read.names)


async def test_listeners_see_each_statement_and_its_arguments(database_url: str, probe_rows: None) -> None:
    pool = await _pool(database_url)
    seen: list[tuple[str, tuple[Any, ...]]] = []
    pool.listeners.append(lambda sql, args: seen.append((sql, args)))
    read = compiled(("test.probe", PROBE), _by_id)
    try:
        row = await pool.fetchrow(read, id="b2")
        assert row is not None and dict(row) == {"id": "b2", "kind": "b", "n": 2}
        async with pool.connection() as conn:
            assert await conn.fetchrow(read, id="missing") is None
    finally:
        await pool.close()
    assert seen == [(read.sql, ("b2",)), (read.sql, ("missing",))]


async def test_the_route_answers_the_models_json_once(app: FastAPI, probe_rows: None) -> None:
    async with asgi_client(app) as client:
        r = await client.get("/v1/probe/a3")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {"id": "a3", "kind": "a", "n": 3}


# --- connections ----------------------------------------------------------------------------------


async def test_at_most_size_connections_and_waiters_served_in_turn(database_url: str) -> None:
    pool = await hotpath.ReadPool.open(database_url, size=1, idle_s=60)
    read = compiled("test.pid", lambda: select(func.pg_backend_pid()))
    try:
        async with pool.connection() as only:
            pid = await only.fetchval(read)
            waiting = [asyncio.create_task(pool.fetchrow(read)) for _ in range(3)]
        async with asyncio.timeout(10):  # a lost hand-over would leave one waiting for ever
            rows = await asyncio.gather(*waiting)
        assert {row[0] for row in rows if row is not None} == {pid}  # the one connection, in turn
        assert pool.pool.get_size() == 1
        # a block that raised does not keep the connection: the next read is served
        with pytest.raises(RuntimeError, match="handler failed"):
            async with pool.connection() as conn:
                await conn.fetchval(read)
                raise RuntimeError("handler failed")
        assert (await pool.fetchrow(read)) is not None and pool.pool.get_size() == 1
    finally:
        await pool.close()


async def _terminate_when(admin_url: str, where: str, *args: Any) -> int:
    """Wait for a backend matching ``where`` (pg_stat_activity), kill it, wait until it is gone."""
    conn = await asyncpg.connect(admin_url)
    try:
        deadline = time.monotonic() + 10
        while (pid := await conn.fetchval(f"SELECT pid FROM pg_stat_activity WHERE {where}", *args)) is None:
            assert time.monotonic() < deadline, "no such backend"
            await asyncio.sleep(0.01)  # polling a condition with a deadline, not a timed wait
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        while await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
            assert time.monotonic() < deadline, "backend still alive"
            await asyncio.sleep(0.01)
        return int(pid)
    finally:
        await conn.close()


async def test_a_connection_killed_while_idle_is_replaced_without_a_ping(pg_admin_url: str, app: FastAPI) -> None:
    async with asgi_client(app) as client:
        statements: list[str] = []
        app.state.read_pool.listeners.append(lambda sql, args: statements.append(sql))
        first = (await client.get("/v1/pid")).json()["pid"]
        assert (await client.get("/v1/pid")).json()["pid"] == first  # pooled, reused
        # the pool's one connection tells when this process has seen it closed: a request sent before the
        # event loop read the server's goodbye would race asyncpg's own handling of it, which no pool can
        # avoid without a ping (asyncpg's public termination listener; the connection is returned at once)
        closed = asyncio.Event()
        async with app.state.read_pool.pool.acquire() as conn:
            conn.add_termination_listener(lambda _conn: closed.set())
        await _terminate_when(pg_admin_url, "pid = $1", first)
        await asyncio.wait_for(closed.wait(), timeout=10)
        again = await client.get("/v1/pid")
        assert again.status_code == 200, again.text
        assert again.json()["pid"] != first
    assert len(statements) == 3  # one statement per request: nothing sent to check the connection


async def test_a_disconnect_during_a_statement_is_a_503_and_the_next_request_recovers(
    pg_admin_url: str, app: FastAPI
) -> None:
    async with asgi_client(app) as client:
        before = (await client.get("/v1/pid")).json()["pid"]
        pending = asyncio.create_task(client.get("/v1/sleep"))
        killed = await _terminate_when(pg_admin_url, "state = 'active' AND query LIKE 'SELECT pg_sleep(%'")
        failed = await pending
        assert killed == before  # the pool's one connection, killed in the middle of the statement
        assert failed.status_code == 503, failed.text
        assert failed.headers["content-type"].startswith("application/problem+json")
        assert failed.json()["type"].endswith("/database-unavailable") and failed.headers["retry-after"] == "5"
        recovered = await client.get("/v1/pid")
        assert recovered.status_code == 200 and recovered.json()["pid"] != before


async def test_a_database_that_cannot_be_reached_is_a_503(database_url: str) -> None:
    unreachable = database_url.replace("127.0.0.1:5432", "127.0.0.1:1").replace("localhost:5432", "127.0.0.1:1")
    assert unreachable != database_url
    cfg = ServiceSettings(database_url=unreachable, jwt_secret=TEST_SECRET, log_json=False)
    down = create_service_app(name="hot-down", title="down", description="test", settings=cfg, routers=[router])
    async with asgi_client(down) as client:
        r = await client.get("/v1/pid")
    assert r.status_code == 503 and r.json()["type"].endswith("/database-unavailable")
