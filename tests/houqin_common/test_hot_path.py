"""The request hot path: tracing only when configured, no ping per checkout, reads in autocommit,
verified tokens cached until they expire."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import asyncpg
import pytest
from fastapi import APIRouter, FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import column, event, insert, table, text

from houqin_common import i18n
from houqin_common.app import create_service_app
from houqin_common.auth import Role, create_token, verified_principal
from houqin_common.db import DbSession, WriteInReadRequest, _refuse_closed_connection
from houqin_common.errors import Unauthorized
from houqin_common.settings import ServiceSettings
from support import TEST_SECRET, asgi_client

router = APIRouter(prefix="/v1")


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"pong": "ok"}


@router.get("/backend")
async def backend(session: DbSession) -> dict[str, int]:
    return {"pid": int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())}


async def _xids(session: Any) -> dict[str, str]:
    first = (await session.execute(text("SELECT pg_current_xact_id()::text"))).scalar_one()
    second = (await session.execute(text("SELECT pg_current_xact_id()::text"))).scalar_one()
    return {"first": first, "second": second}


@router.get("/xids")
async def xids_get(session: DbSession) -> dict[str, str]:
    return await _xids(session)


@router.post("/xids")
async def xids_post(session: DbSession) -> dict[str, str]:
    return await _xids(session)


async def _insert(session: Any) -> dict[str, int]:
    await session.execute(text("CREATE TEMP TABLE IF NOT EXISTS scratch (x int) ON COMMIT DROP"))
    await session.execute(insert(table("scratch", column("x"))).values(x=1))
    return {"rows": int((await session.execute(text("SELECT count(*) FROM scratch"))).scalar_one())}


@router.get("/write")
async def write_in_get(session: DbSession) -> dict[str, int]:
    return await _insert(session)


@router.post("/write")
async def write_in_post(session: DbSession) -> dict[str, int]:
    return await _insert(session)


def _app(database_url: str, **settings: Any) -> FastAPI:
    cfg = ServiceSettings(database_url=database_url, jwt_secret=TEST_SECRET, log_json=False, **settings)
    return create_service_app(name="hot-path", title="hot path", description="test", settings=cfg, routers=[router])


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    yield _app(database_url, db_pool_size=1)


# --- tracing --------------------------------------------------------------------------------------


async def test_tracing_is_off_by_default(database_url: str) -> None:
    app = _app(database_url)
    assert app.state.settings.tracing is False
    assert app.state.tracer_provider is None
    # FastAPI's native layer is skipped for every request (it checks this per request)
    assert not app._native_telemetry.enabled()
    async with asgi_client(app) as client:
        assert (await client.get("/v1/ping")).status_code == 200


async def test_tracing_on_records_a_span_per_request_but_not_for_probes(database_url: str) -> None:
    app = _app(database_url, tracing=True, tracing_exporter="console")
    assert app._native_telemetry.enabled()
    spans = InMemorySpanExporter()
    app.state.tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    async with asgi_client(app) as client:
        assert (await client.get("/v1/ping")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200
    servers = [s for s in spans.get_finished_spans() if s.name.startswith("GET ")]
    assert [s.name for s in servers] == ["GET /v1/ping"]
    assert servers[0].attributes is not None and servers[0].attributes["http.route"] == "/v1/ping"
    assert servers[0].resource.attributes["service.name"] == "hot-path"


async def test_console_exporter_writes_the_spans(database_url: str, capfd: pytest.CaptureFixture[str]) -> None:
    app = _app(database_url, tracing=True, tracing_exporter="console")
    async with asgi_client(app) as client:
        assert (await client.get("/v1/ping")).status_code == 200
    # the lifespan shut the provider down, which flushes the batch
    assert '"name": "GET /v1/ping"' in capfd.readouterr().err


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, int]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        type(self).received.append((self.path, self.headers.get("content-type", ""), length))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def otlp_collector() -> Iterator[tuple[str, list[tuple[str, str, int]]]]:
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces", _Collector.received
    finally:
        server.shutdown()


async def test_otlp_exporter_posts_spans_to_the_configured_endpoint(
    database_url: str, otlp_collector: tuple[str, list[tuple[str, str, int]]]
) -> None:
    endpoint, received = otlp_collector
    app = _app(database_url, tracing=True, tracing_otlp_endpoint=endpoint)
    async with asgi_client(app) as client:
        assert (await client.get("/v1/ping")).status_code == 200
        assert received == []  # batched: nothing sent before the flush
    # shutting the provider down at the end of the lifespan exported the batch
    assert len(received) == 1
    path, content_type, length = received[0]
    assert path == "/v1/traces" and content_type == "application/x-protobuf" and length > 0


# --- connections ----------------------------------------------------------------------------------


async def _terminate(admin_url: str, pid: int) -> None:
    """Kill the backend ``pid`` and wait until the server has let it go."""
    conn = await asyncpg.connect(admin_url)
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        deadline = time.monotonic() + 10
        while await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
            assert time.monotonic() < deadline, "backend still alive"
            await asyncio.sleep(0.01)  # polling a condition with a deadline, not a timed wait
    finally:
        await conn.close()


async def test_connection_killed_in_the_pool_is_replaced_without_a_ping(pg_admin_url: str, app: FastAPI) -> None:
    headers = {"Authorization": "Bearer unused"}
    async with asgi_client(app) as client:
        engine = app.state.engine
        assert engine.sync_engine.pool._pre_ping is False
        statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        first = (await client.get("/v1/backend", headers=headers)).json()["pid"]
        assert (await client.get("/v1/backend", headers=headers)).json()["pid"] == first  # pooled, reused
        await _terminate(pg_admin_url, first)
        again = await client.get("/v1/backend", headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["pid"] != first
        # three requests, three statements: no ping before any of them
        assert statements == ["SELECT pg_backend_pid()"] * 3


async def test_without_the_checkout_check_the_killed_connection_costs_one_503(pg_admin_url: str, app: FastAPI) -> None:
    """Positive control of the test above, and SQLAlchemy's fallback: the dead connection fails one
    request (503, not 500) and invalidates the pool, so the next request succeeds."""
    async with asgi_client(app) as client:
        event.remove(app.state.engine.sync_engine, "checkout", _refuse_closed_connection)
        first = (await client.get("/v1/backend")).json()["pid"]
        await _terminate(pg_admin_url, first)
        failed = await client.get("/v1/backend")
        assert failed.status_code == 503, failed.text
        assert failed.headers["content-type"].startswith("application/problem+json")
        recovered = await client.get("/v1/backend")
        assert recovered.status_code == 200 and recovered.json()["pid"] != first


# --- read sessions --------------------------------------------------------------------------------


async def test_get_reads_in_autocommit_and_post_in_one_transaction(app: FastAPI) -> None:
    async with asgi_client(app) as client:
        read = (await client.get("/v1/xids")).json()
        write = (await client.post("/v1/xids")).json()
    assert read["first"] != read["second"]  # each statement its own transaction: no BEGIN/COMMIT
    assert write["first"] == write["second"]  # one transaction for the whole request


async def test_a_get_that_writes_is_refused(app: FastAPI) -> None:
    async with asgi_client(app) as client:
        assert (await client.post("/v1/write")).json() == {"rows": 1}  # the same write is fine in a POST
        with pytest.raises(WriteInReadRequest):  # a bug in the handler: the app answers 500 and re-raises
            await client.get("/v1/write")


# --- tokens ---------------------------------------------------------------------------------------


def test_a_verified_token_is_cached_until_it_expires() -> None:
    settings = ServiceSettings(jwt_secret=TEST_SECRET)
    token = create_token(settings, subject="cached", roles=[Role.supervisor], ttl_s=60)
    now = time.time()
    first = verified_principal(token, settings, now=now)
    assert verified_principal(token, settings, now=now + 30) is first  # served from the cache
    with pytest.raises(Unauthorized, match="expired"):
        verified_principal(token, settings, now=now + 61)


def test_a_cached_token_is_not_accepted_under_another_secret() -> None:
    settings = ServiceSettings(jwt_secret=TEST_SECRET)
    token = create_token(settings, subject="cached", roles=[Role.supervisor], ttl_s=60)
    assert verified_principal(token, settings).subject == "cached"
    with pytest.raises(Unauthorized, match="invalid"):
        verified_principal(token, ServiceSettings(jwt_secret="another-secret-" + "x" * 40))


# --- locale ---------------------------------------------------------------------------------------


async def test_negotiated_locales_are_reused_per_accept_language_value(database_url: str) -> None:
    async with asgi_client(_app(database_url)) as client:
        seen = [
            (await client.get("/v1/ping", headers={"Accept-Language": value})).headers["content-language"]
            for value in ("en-GB,en;q=0.9", "zh-CN,zh;q=0.9,en;q=0.5", "en-GB,en;q=0.9", "fr")
        ]
    # "fr" names nothing supported: the deployment's default (this session sets HOUQIN_LOCALE=en)
    assert seen == ["en", "zh-CN", "en", i18n.SUPPORTED[i18n.default_locale()]]
