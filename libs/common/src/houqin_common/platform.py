"""`houqin up`: the whole platform in one process tree.

The parent process owns the embedded servers (when no external ones are configured: PostgreSQL from
PyPI, a Mosquitto child with the project's broker config), applies every service's migrations, then
runs each service under uvicorn and each worker (the MQTT consumer) as a child process.
SIGINT/SIGTERM stop the children first, then the embedded servers. A service (uvicorn) that exits
stops the platform: it is a bug. A worker that fails is restarted with a growing back-off, as a process
supervisor would, so one crash does not take the APIs down; a worker that exits asking for a person
(the consumer's dead-letter cap, exit 3) is left stopped, loudly, while the services keep serving.

Never another process's "ready": the parent binds each service's socket itself (the preferred port, or a
free one when it is taken) and hands it to uvicorn (``--fd``), and a service counts as ready only when
its ``/readyz`` answers with the instance id this run gave that child (``HOUQIN_INSTANCE_ID``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from houqin_common.app import ServiceSpec, TcpListener, discover_services
from houqin_common.db import run_migrations
from houqin_common.embedded import (
    EmbeddedBroker,
    EmbeddedPostgres,
    MosquittoChild,
    bind_socket,
    mosquitto_binary,
    url_reachable,
)
from houqin_common.i18n import _

#: worker exit codes that ask for a person, not a restart: the consumer's dead-letter cap (docs/mqtt.md)
NEEDS_ATTENTION = frozenset({3})
#: a worker that ran this long before failing starts its back-off again from the first step
STABLE_AFTER_S = 60.0


@dataclass(frozen=True)
class Placement:
    """Where `houqin up` lets a worker listen: the settings to pass it, or why it does not start."""

    host: str
    port: int
    env: dict[str, str]
    start: bool
    message: str | None = None


def place_listener(listener: TcpListener, host: str, environ: Mapping[str, str]) -> Placement:
    """The local address unless the listener's host setting says otherwise; its configured port, or with the
    default one taken another free port. A port set explicitly and taken is reported once and that worker
    is not started (a gateway retrying a taken port would log the same error every few seconds)."""
    bind_host = environ.get(listener.host_env) or host
    configured = environ.get(listener.port_env)
    wanted = int(configured) if configured else listener.port
    env = {listener.host_env: bind_host, listener.port_env: str(wanted)}
    probe = socket.socket(socket.AF_INET6 if ":" in bind_host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind_host, wanted))
            return Placement(bind_host, wanted, env, True)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
        if configured:
            return Placement(
                bind_host,
                wanted,
                env,
                False,
                _(
                    "{label} port {port} ({setting}) is taken by another process: {worker} is not started; "
                    "free the port or set {setting} to another one",
                    label=listener.label,
                    port=wanted,
                    setting=listener.port_env,
                    worker=listener.worker,
                ),
            )
        probe.bind((bind_host, 0))
        port = int(probe.getsockname()[1])
        return Placement(
            bind_host,
            port,
            {**env, listener.port_env: str(port)},
            True,
            _(
                "port {wanted} is taken by another process: {service} listens on {port} instead",
                wanted=wanted,
                service=listener.label,
                port=port,
            ),
        )
    finally:
        probe.close()


@dataclass
class Worker:
    """A worker child and what it takes to start it again."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None


@dataclass
class Platform:
    home: Path
    host: str = "127.0.0.1"
    database_url: str | None = None
    mqtt_url: str | None = None
    children: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    restart_backoff_s: float = 1.0
    restart_backoff_max_s: float = 60.0
    urls: dict[str, str] = field(default_factory=dict)
    #: TCP listeners of the workers ("JT/T 808" -> tcp://127.0.0.1:6808)
    listening: dict[str, str] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _pg: EmbeddedPostgres | None = None
    _broker: EmbeddedBroker | None = None
    _mosquitto: MosquittoChild | None = None
    _amqtt: bool = False
    _stopped: bool = False
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def instance_id(self, service: str) -> str:
        return f"{self.run_id}-{service}"

    def say(self, msg: str) -> None:
        print(f"houqin: {msg}", flush=True)

    async def start_servers(self) -> None:
        self.database_url = self.database_url or os.environ.get("HOUQIN_DATABASE_URL")
        if not self.database_url:
            self.say(_("HOUQIN_DATABASE_URL unset: starting embedded PostgreSQL in {path}", path=self.home / "pgdata"))
            self._pg = await asyncio.to_thread(EmbeddedPostgres, self.home / "pgdata")
            self.database_url = await asyncio.to_thread(self._pg.ensure_database, "houqin")
        elif not url_reachable(self.database_url, 5432):
            raise SystemExit(
                _(
                    "houqin: the database at HOUQIN_DATABASE_URL is unreachable: {database_url}",
                    database_url=self.database_url,
                )
            )
        self.mqtt_url = self.mqtt_url or os.environ.get("HOUQIN_MQTT_URL")
        if not self.mqtt_url:
            binary = await asyncio.to_thread(mosquitto_binary)
            if binary is not None:
                self._mosquitto = MosquittoChild(binary, self.home / "mosquitto", self.host)
                await asyncio.to_thread(self._mosquitto.start)
                self.mqtt_url = self._mosquitto.url
                self.say(
                    _(
                        "HOUQIN_MQTT_URL unset: embedded MQTT broker (Mosquitto child, project config) on {url}",
                        url=self.mqtt_url,
                    )
                )
            else:
                self._broker = EmbeddedBroker(self.host)
                await self._broker.start()
                self.mqtt_url = self._broker.url
                self._amqtt = True
                self.say("=" * 78)
                self.say(
                    _("WARNING: mosquitto is not installed: embedded MQTT broker amqtt on {url}", url=self.mqtt_url)
                )
                self.say(_("amqtt drops a QoS 1 delivery not acknowledged within 5 s; the consumer runs small"))
                self.say(_("batches to stay inside that window. Install mosquitto (scripts/ensure-mosquitto.sh)."))
                self.say("=" * 78)

    def child_env(self, services: dict[str, ServiceSpec]) -> dict[str, str]:
        env = dict(os.environ)
        assert self.database_url and self.mqtt_url
        env["HOUQIN_DATABASE_URL"] = self.database_url
        env["HOUQIN_MQTT_URL"] = self.mqtt_url
        for name, url in self.urls.items():
            env[f"HOUQIN_{name.upper()}_URL"] = url
        env.setdefault("PYTHONUNBUFFERED", "1")
        if self._amqtt:
            # amqtt's 5 s PUBACK timeout: small batches, one at a time, so every batch is acknowledged in time
            env.setdefault("HOUQIN_TELEMETRY_BATCH_MAX_SIZE", "200")
            env.setdefault("HOUQIN_TELEMETRY_WRITE_CONCURRENCY", "1")
        return env

    async def run(self, only: list[str] | None = None) -> int:
        """Start everything and supervise; whatever interrupts the start (Ctrl-C, a failed migration) still
        stops what was started (the Mosquitto child runs in its own session: nobody else would)."""
        try:
            return await self._run(only)
        except BaseException:
            await self.shutdown()
            raise

    async def _run(self, only: list[str] | None = None) -> int:
        services = {n: s for n, s in discover_services().items() if not only or n in only}
        await self.start_servers()
        assert self.database_url
        for spec in services.values():
            self.say(_("migrating {service} (schema {schema})", service=spec.name, schema=spec.schema))
            await asyncio.to_thread(run_migrations, spec.package, self.database_url)
        sockets: dict[str, socket.socket] = {}
        for spec in services.values():
            sock = bind_socket(self.host, spec.port)
            sockets[spec.name] = sock
            port = sock.getsockname()[1]
            if port != spec.port:
                self.say(
                    _(
                        "port {wanted} is taken by another process: {service} listens on {port} instead",
                        wanted=spec.port,
                        service=spec.name,
                        port=port,
                    )
                )
            self.urls[spec.name] = f"http://{self.host}:{port}"
        env = self.child_env(services)
        for spec in services.values():
            sock = sockets[spec.name]
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                spec.app_factory,
                "--fd",
                str(sock.fileno()),
                "--no-access-log",
            ]
            child_env = {**env, "HOUQIN_INSTANCE_ID": self.instance_id(spec.name)}
            # Popen forks and waits for the exec: off the event loop, like every other blocking call
            proc = await asyncio.to_thread(
                subprocess.Popen, cmd, env=child_env, pass_fds=(sock.fileno(),), process_group=0
            )
            self.children.append(proc)
            sock.close()  # the child owns it now
            placed = {lst.worker: place_listener(lst, self.host, os.environ) for lst in spec.listeners}
            for worker_name, target in spec.workers.items():
                placement = placed.get(worker_name)
                if placement is not None and placement.message:
                    self.say(placement.message)
                if placement is not None and not placement.start:
                    continue
                if placement is not None:
                    label = next(lst.label for lst in spec.listeners if lst.worker == worker_name)
                    self.listening[label] = f"tcp://{placement.host}:{placement.port}"
                self.say(_("starting {service} worker {worker}", service=spec.name, worker=worker_name))
                worker = Worker(
                    f"{spec.name}:{worker_name}",
                    [sys.executable, "-m", "houqin_common.platform", target],
                    {**env, **(placement.env if placement is not None else {})},
                )
                self.workers.append(worker)
                await self.start_worker(worker)
        ready: dict[str, bool] = dict.fromkeys(self.urls, False)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(180):
                await self.wait_ready(ready)
        for spec in services.values():
            state = _("ready") if ready.get(spec.name) else _("NOT READY")
            self.say(f"{spec.title:<22} {self.urls[spec.name]}/docs  ({state})")
        for label, url in self.listening.items():
            self.say(f"{label:<22} {url}")
        self.say(f"{_('MQTT broker'):<22} {self.mqtt_url}")
        self.say(f"{_('database'):<22} {self.database_url}")
        self.say(_("Ctrl-C stops everything"))
        return await self.supervise()

    async def wait_ready(self, ready: dict[str, bool]) -> None:
        """Mark in ``ready`` each service whose /readyz answers, until all do or a child exits (the caller
        bounds the wait with ``asyncio.timeout``; what is marked by then stays marked)."""
        async with httpx.AsyncClient(timeout=2) as client:
            while not all(ready.values()):
                for name, url in self.urls.items():
                    if ready[name]:
                        continue
                    with contextlib.suppress(httpx.HTTPError, ValueError):
                        resp = await client.get(f"{url}/readyz")
                        # a 200 from whoever else listens there is not this run's service being ready
                        ready[name] = resp.status_code == 200 and resp.json().get("instance") == self.instance_id(name)
                if any(c.poll() is not None for c in self.children):
                    break
                await asyncio.sleep(0.5)

    async def start_worker(self, worker: Worker) -> None:
        # Popen forks and waits for the exec: off the event loop
        # its own process group, like the services: a terminal's Ctrl-C reaches only this parent, which then
        # stops every child itself (no child dies first and is reported as a failure)
        worker.proc = await asyncio.to_thread(subprocess.Popen, worker.cmd, env=worker.env, process_group=0)
        worker.started_at, worker.restart_at = time.monotonic(), None
        self.children.append(worker.proc)

    def _worker_exited(self, worker: Worker, code: int) -> None:
        """Decide what a worker's exit means: restart later, or leave it stopped for a person."""
        assert worker.proc is not None
        self.children.remove(worker.proc)
        worker.proc = None
        now = time.monotonic()
        if code in NEEDS_ATTENTION or code == 0:
            self.say("=" * 78)
            self.say(
                _(
                    "worker {name} exited with {code} and is left stopped: see its log above, fix the cause, "
                    "then restart `houqin up`; the services keep running",
                    name=worker.name,
                    code=code,
                )
            )
            self.say("=" * 78)
            return
        if now - worker.started_at >= STABLE_AFTER_S:
            worker.failures = 0
        delay = min(self.restart_backoff_max_s, self.restart_backoff_s * 2**worker.failures)
        worker.failures += 1
        worker.restart_at = now + delay
        self.say(
            _(
                "worker {name} exited with {code}; restarting it in {delay} s (failure {n})",
                name=worker.name,
                code=code,
                delay=f"{delay:g}",
                n=worker.failures,
            )
        )

    def request_stop(self) -> None:
        """What SIGINT/SIGTERM do: stop supervising and shut everything down."""
        self._stop.set()

    async def supervise(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop.set)
        code = 0
        while not self._stop.is_set():
            workers = {id(w.proc): w for w in self.workers if w.proc is not None}
            for child in list(self.children):
                if child.poll() is None:
                    continue
                worker = workers.get(id(child))
                if worker is not None:
                    self._worker_exited(worker, child.returncode)
                    continue
                self.say(_("process {args} exited with {code}; stopping", args=repr(child.args), code=child.returncode))
                code = child.returncode or 1
                self._stop.set()
            for worker in self.workers:
                if worker.restart_at is not None and time.monotonic() >= worker.restart_at and not self._stop.is_set():
                    self.say(_("restarting worker {name}", name=worker.name))
                    await self.start_worker(worker)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.2 if any(w.restart_at for w in self.workers) else 1.0)
        await self.shutdown()
        return code

    async def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.say(_("stopping"))
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                await asyncio.to_thread(child.wait, 15)
            except subprocess.TimeoutExpired:
                child.kill()
        if self._broker is not None:
            await self._broker.stop()
        if self._mosquitto is not None:
            await asyncio.to_thread(self._mosquitto.stop)
        if self._pg is not None:
            await asyncio.to_thread(self._pg.stop)
        self.say(_("stopped"))


def run_worker(target: str) -> None:
    """Run a service worker given as ``module:callable`` (a blocking function)."""
    module, _, attr = target.partition(":")
    fn = getattr(importlib.import_module(module), attr)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with contextlib.suppress(KeyboardInterrupt):
        fn()


if __name__ == "__main__":
    run_worker(sys.argv[1])
