"""Helpers the tests import (`from support import auth, asgi_client`); fixtures are in conftest.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from houqin_common.app import ServiceSpec, discover_services
from houqin_common.db import libpq_url, run_migrations, with_database
from houqin_common.embedded import EmbeddedBroker, free_port

REPO = Path(__file__).resolve().parent.parent
TEST_SECRET = "houqin-test-secret-0123456789abcdef0123456789"


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _exec_admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(libpq_url(admin_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_test_database(admin_url: str, migrate: bool = True) -> str:
    """A new, migrated database on the test server; the caller drops it with drop_test_database."""
    name = f"houqin_test_{uuid.uuid4().hex[:12]}"
    _run(_exec_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = with_database(admin_url, name)
    if migrate:
        for spec in discover_services().values():
            run_migrations(spec.package, url)
    return url


def drop_test_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    _run(_exec_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class BrokerThread:
    """The embedded broker on its own event loop, so blocking test code cannot stall it."""

    def __init__(self) -> None:
        self.broker = EmbeddedBroker("127.0.0.1", free_port())
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> str:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.broker.start(), self.loop).result(30)
        return self.broker.url

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.broker.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def asgi_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to ``app`` in-process, with its lifespan running."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def load_factory(spec: ServiceSpec) -> Callable[..., FastAPI]:
    import importlib

    module, _, attr = spec.app_factory.partition(":")
    factory: Callable[..., FastAPI] = getattr(importlib.import_module(module), attr)
    return factory


class LiveServices:
    """Real uvicorn processes of the services, on free ports, pointing at each other."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.specs = discover_services()
        self.ports = {name: free_port() for name in self.specs}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def process_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, **self.env, **(extra or {})}
        for name, url in self.urls.items():
            env[f"HOUQIN_{name.upper()}_URL"] = url
        return env

    def start(
        self,
        name: str,
        extra_env: dict[str, str] | None = None,
        ready_timeout_s: float = 60,
        *,
        timeout: float | None = None,
    ) -> str:
        """Start (or restart) service ``name``; returns its base URL once /readyz answers 200."""
        limit = timeout if timeout is not None else ready_timeout_s
        self.stop(name)
        spec = self.specs[name]
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            spec.app_factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.ports[name]),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.procs[name] = subprocess.Popen(cmd, env=self.process_env(extra_env), cwd=REPO)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited with {self.procs[name].returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.urls[name]}/readyz", timeout=1).status_code == 200:
                    return self.urls[name]
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready within {limit:g} s")

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)


class JsonServer(ThreadingHTTPServer):
    """A real HTTP server answering 200 JSON to every GET and POST: ``routes[path]`` when the request path is
    in ``routes``, else ``body``. Stands in for a foreign server at a configured URL, or for a service whose
    answer a test fixes (e.g. a telemetry KPI)."""

    def __init__(self, body: object) -> None:
        super().__init__(("127.0.0.1", 0), _JsonHandler)
        self.body = body
        self.routes: dict[str, object] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _JsonHandler(BaseHTTPRequestHandler):
    server: JsonServer

    def _answer(self) -> None:
        path = self.path.split("?", 1)[0]
        payload = json.dumps(self.server.routes.get(path, self.server.body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextlib.contextmanager
def json_server(body: object) -> Iterator[JsonServer]:
    """A :class:`JsonServer` serving in a thread on a free port (listening before it is yielded)."""
    server = JsonServer(body)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
