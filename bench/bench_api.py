"""API hot-path benchmark: our services beside a bare FastAPI app running the same statements.

For a detail endpoint and a 50-row list endpoint of each service, one real uvicorn process of the service
(seeded throw-away database) is driven at concurrency 1 and 10. Beside it, in the same run, one uvicorn
process of a bare FastAPI app (:mod:`bench.bare_api`: no auth, no middleware of ours, no dependencies)
runs the *same SQL with the same parameters* on the same kind of pool (``houqin_common.hotpath.ReadPool``,
the services' pool size) and answers the rows as JSON; the statements are captured from the service's own
engine and hot-read pool while it answers the request once in-process. The ratio ours / bare is the
figure that matters (issue 25: detail >= 0.8, 50-row list >= 0.7).

The same process also answers the *floor* (``/f/{index}``): the same replay behind what FastAPI charges for
what every service route must have, the bearer role check (one dependency), an included router and, for a
list, the endpoint's query model. Its ratio to the bare app (column ``floor``) is the best a service route
can reach on FastAPI's public surface before doing any work of its own (validation, names, metrics).

Load generator: Debian's ``wrk`` (C, one thread per 5 connections, keep-alive), installed by
``scripts/ensure-wrk.sh`` when missing; without it, several Python client processes (one keep-alive
connection each), which the output says, since those can become the bottleneck on a small machine.
CPU per request is the uvicorn process's user+system time over the requests it served.

Environment: ``BENCH_DATABASE_URL`` (server, default postgresql://postgres@127.0.0.1:5432/postgres),
``BENCH_API_SECONDS`` (per measurement, default 2),
``BENCH_API_ROUNDS`` (rounds per figure, default 5), ``BENCH_API_ONLY`` (comma list of services),
``BENCH_API_LOADGEN`` (``wrk`` or ``python``; default wrk when available).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import multiprocessing as mp
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
from sqlalchemy import event

from houqin_common.app import ServiceSpec, discover_services
from houqin_common.auth import Role, create_token
from houqin_common.db import libpq_url, run_migrations, with_database
from houqin_common.embedded import free_port
from houqin_common.settings import ServiceSettings

REPO = Path(__file__).resolve().parent.parent
SECRET = "houqin-bench-secret-0123456789abcdef0123456789"
CONCURRENCY = (1, 10)

# rows added beside the demo seed so every list endpoint has a full page of 50
TOP_UP = {
    "contracts": """
INSERT INTO contracts.vendor (id, name, credit_code, legal_status, contact_name, contact_phone, address)
SELECT 'bench-vendor-' || lpad(i::text, 3, '0'), '基准测试供应商' || i, 'BENCH' || lpad(i::text, 13, '0'),
       'registered', '联系人', '0519-8' || lpad(i::text, 7, '0'), '江苏省常州市新北区龙城大道' || i || '号'
FROM generate_series(1, 60) i ON CONFLICT DO NOTHING
""",
    "telemetry": """
INSERT INTO telemetry.meter (id, name, building, floor, zone, energy_type, sub_item, multiplier, vendor_id)
SELECT 'bm' || lpad(i::text, 4, '0'), '基准电表 ' || i, 'B' || (i % 10), (i % 20)::text, 'Z' || (i % 40),
       '01000', (ARRAY['01A10','01B10','01B20','01C10','01D10'])[1 + i % 5], 1 + (i % 3) * 10,
       'bench-vendor-' || lpad((1 + i % 10)::text, 3, '0')
FROM generate_series(1, 60) i ON CONFLICT DO NOTHING
""",
    "appraisal": """
INSERT INTO appraisal.complaint (id, kind, channel, category, vendor_id, project_code, description, filed_by,
                                 status, filed_at)
SELECT 'bench-complaint-' || lpad(i::text, 3, '0'), 'complaint', 'web', 'canteen_dishes',
       'bench-vendor-' || lpad((1 + i % 10)::text, 3, '0'),
       'catering', '午餐菜品偏咸，希望改进 ' || i, 'staff-' || i, 'open',
       timestamptz '2026-06-01 12:00+08' + i * interval '1 hour'
FROM generate_series(1, 60) i ON CONFLICT DO NOTHING
""",
}


#: the services a service calls while answering the benchmarked requests, run beside it as deployed:
#: appraisal names the vendor of every complaint from contracts-api's register (``appraisal.names``,
#: cached for ``names_ttl_s``); without contracts-api it would measure a failing name lookup instead
PEERS: dict[str, tuple[str, ...]] = {"appraisal": ("contracts",)}


@dataclass(frozen=True)
class Endpoint:
    service: str
    kind: str  # "detail" or "list"
    path: str
    #: how many items the response must carry (list) or None (detail)
    items: int | None = None
    #: every answered record names its vendor as the register does (the name lookup worked)
    vendor_named: bool = False
    #: the endpoint's query model (``module:Class``), which the floor takes as the service route does
    query: str | None = None


ENDPOINTS = [
    Endpoint("contracts", "detail", "/v1/vendors/bench-vendor-007"),
    Endpoint("contracts", "list", "/v1/vendors?limit=50", 50, query="contracts_api.vendors.schemas:VendorQuery"),
    Endpoint("telemetry", "detail", "/v1/meters/bm0007"),
    Endpoint("telemetry", "list", "/v1/meters?limit=50", 50, query="telemetry_ingest.devices.schemas:MeterQuery"),
    Endpoint("appraisal", "detail", "/v1/complaints/bench-complaint-007", vendor_named=True),
    Endpoint(
        "appraisal",
        "list",
        "/v1/complaints?limit=50",
        50,
        vendor_named=True,
        query="appraisal.complaints.schemas:ComplaintQuery",
    ),
]


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float = float("nan")


# --- database ---------------------------------------------------------------------------------------


async def _telemetry_seed(url: str) -> None:
    """Telemetry's demo seed with two days of history instead of thirteen months: the benchmarked endpoints
    read the registry only, and the full history takes many minutes on a busy machine."""
    from houqin_common.db import create_engine, make_sessionmaker
    from telemetry_ingest.seed import load
    from telemetry_ingest.simulator.seed import seed_history

    engine = create_engine(url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load(session)
    finally:
        await engine.dispose()
    await asyncio.to_thread(seed_history, url, history_days=2, position_days=1)


def create_database(admin_url: str, specs: dict[str, ServiceSpec]) -> str:
    name = f"houqin_bench_api_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin_url), name)
    for spec in specs.values():
        run_migrations(spec.package, url)
    for spec in specs.values():
        if spec.name == "telemetry":
            asyncio.run(_telemetry_seed(url))
        elif spec.seed:
            module, _, attr = spec.seed.partition(":")
            seed: Callable[[str], Any] = getattr(__import__(module, fromlist=[attr]), attr)
            asyncio.run(seed(url))
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in TOP_UP.values():
            conn.execute(sql)
        conn.execute("VACUUM ANALYZE")
    return url


def drop_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def service_env(url: str, peers: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a service process; ``peers`` maps a service it calls to that service's base URL."""
    env = {
        "HOUQIN_DATABASE_URL": url,
        "HOUQIN_JWT_SECRET": SECRET,
        "HOUQIN_LOG_LEVEL": "WARNING",
        "HOUQIN_LOG_JSON": "false",
    }
    for name, base in (peers or {}).items():
        env[f"HOUQIN_{name.upper()}_URL"] = base
    return env


# --- the SQL a request runs ---------------------------------------------------------------------------


@dataclass
class Captured:
    statements: list[tuple[str, tuple[Any, ...]]]
    #: the service ran them in autocommit (no BEGIN/COMMIT), as it does for GET requests
    autocommit: bool


async def _capture(spec: ServiceSpec, url: str, token: str, path: str, peers: dict[str, str]) -> Captured:
    """The statements (and parameters) the service sends to PostgreSQL for one request to ``path``: those
    of its SQLAlchemy engine and those of its hot-read pool (houqin_common.hotpath)."""
    module, _, attr = spec.app_factory.partition(":")
    factory = getattr(__import__(module, fromlist=[attr]), attr)
    os.environ.update(service_env(url, peers))
    # a seed may have read (and cached) the service's settings before the environment named this database
    cached = getattr(__import__(f"{spec.package}.settings", fromlist=["get_settings"]), "get_settings", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()
    app = factory()
    statements: list[tuple[str, tuple[Any, ...]]] = []
    levels: set[str] = set()
    async with app.router.lifespan_context(app):

        def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            statements.append((statement, tuple(parameters or ())))
            levels.add(str(conn.get_execution_options().get("isolation_level", "")))

        def record_hot(statement: str, args: tuple[Any, ...]) -> None:
            statements.append((statement, args))
            levels.add("AUTOCOMMIT")  # the hot path reads outside any transaction

        event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
        app.state.read_pool.listeners.append(record_hot)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            resp = await client.get(path, headers={"Authorization": f"Bearer {token}"})
            if resp.status_code != 200:
                raise RuntimeError(f"{path}: {resp.status_code} {resp.text}")
    return Captured(statements, autocommit=levels == {"AUTOCOMMIT"})


# --- load generators ------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _wrk_ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not m:
        raise ValueError(f"unreadable wrk latency {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(url: str, token: str, concurrency: int, seconds: float) -> Figures:
    threads = max(1, min(concurrency, 2))
    cmd = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:g}s", "--latency"]
    cmd += ["-H", f"Authorization: Bearer {token}", url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests against {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _wrk_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return Figures(rps=rps, p50_ms=p50, p99_ms=p99)


def _python_client(host: str, port: int, path: str, token: str, deadline: float, out: Any) -> None:
    conn = http.client.HTTPConnection(host, port)
    latencies = []
    while (now := time.perf_counter()) < deadline:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{path} answered {resp.status}")
        latencies.append(time.perf_counter() - now)
    out.put(latencies)


def run_python_clients(url: str, token: str, concurrency: int, seconds: float) -> Figures:
    """Fallback load generator: ``concurrency`` processes, one keep-alive connection each."""
    parts = httpx.URL(url)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    start = time.perf_counter() + 2.0  # spawn start-up outside the measured window
    procs = [
        ctx.Process(
            target=_python_client,
            args=(parts.host, parts.port, parts.raw_path.decode(), token, start + seconds, queue),
        )
        for _ in range(concurrency)
    ]
    for p in procs:
        p.start()
    latencies: list[float] = []
    for _ in procs:
        latencies.extend(queue.get())
    for p in procs:
        p.join()
    latencies.sort()
    elapsed = seconds + 2.0  # clients start at spawn and stop at the deadline
    return Figures(
        rps=len(latencies) / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
    )


# --- one service ------------------------------------------------------------------------------------------


class Server:
    """One uvicorn process of an app factory, as `houqin up` runs a service (no access log)."""

    def __init__(self, name: str, factory: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--no-access-log", "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=REPO)
        deadline = time.monotonic() + 180  # a shared, loaded machine starts a service slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{name} did not answer /healthz within 180 s")
        self.ps = psutil.Process(self.proc.pid)

    def cpu_s(self) -> float:
        t = self.ps.cpu_times()
        return float(t.user + t.system)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def check_response(base: str, endpoint: Endpoint, token: str, url: str) -> None:
    resp = httpx.get(base + endpoint.path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    if resp.status_code != 200:
        raise RuntimeError(f"{endpoint.path} answered {resp.status_code}: {resp.text[:300]}")
    if endpoint.items is not None and len(resp.json()["items"]) != endpoint.items:
        raise RuntimeError(f"{endpoint.path} returned {len(resp.json()['items'])} items, not {endpoint.items}")
    records = resp.json()["items"] if endpoint.items is not None else [resp.json()]
    if endpoint.vendor_named:
        with psycopg.connect(url) as conn:
            register = dict(conn.execute("SELECT id, name FROM contracts.vendor").fetchall())
        unnamed = [r for r in records if r["vendor_name"] != register.get(r["vendor_id"])]
        if unnamed:
            raise RuntimeError(f"{endpoint.path} does not name the vendors as the register does: {unnamed[0]}")


def measure(server: Server, url: str, token: str, concurrency: int, seconds: float, drive: Any) -> Figures:
    drive(url, token, concurrency, min(1.0, seconds))  # warm-up
    cpu0 = server.cpu_s()
    figures: Figures = drive(url, token, concurrency, seconds)
    figures.cpu_ms = (server.cpu_s() - cpu0) / max(figures.rps * seconds, 1) * 1000
    return figures


def bench_service(
    name: str,
    specs: dict[str, ServiceSpec],
    url: str,
    token: str,
    pool_size: int,
    seconds: float,
    drive: Any,
    rounds: int,
) -> list[Row]:
    """Every endpoint of service ``name`` at each concurrency, ours beside the floor and the bare app, with the
    services it calls (:data:`PEERS`) running as they are deployed. Each measurement is ``rounds`` rounds of the
    three measured back to back (the one measured first rotating), so a burst of other work on the machine
    lands on every side of some round rather than on one side of the only one."""
    spec = specs[name]
    endpoints = [e for e in ENDPOINTS if e.service == name]
    rows: list[Row] = []
    with contextlib.ExitStack() as stack:
        peers: dict[str, str] = {}
        for peer in PEERS.get(name, ()):
            helper = Server(peer, specs[peer].app_factory, service_env(url))
            stack.callback(helper.stop)
            peers[peer] = helper.base
        captured = [asyncio.run(_capture(spec, url, token, e.path, peers)) for e in endpoints]
        files = {
            "BENCH_BARE_STATEMENTS": {i: cap.statements for i, cap in enumerate(captured)},
            "BENCH_BARE_QUERIES": {i: e.query for i, e in enumerate(endpoints)},
        }
        bare_env = {"BENCH_BARE_URL": url, "BENCH_BARE_POOL_SIZE": str(pool_size), "HOUQIN_JWT_SECRET": SECRET}
        for variable, content in files.items():
            with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as f:
                f.write(pickle.dumps(content))
            stack.callback(Path(f.name).unlink)
            bare_env[variable] = f.name
        ours = Server(name, spec.app_factory, service_env(url, peers))
        stack.callback(ours.stop)
        bare = Server(f"bare {name}", "bench.bare_api:create_app", bare_env)
        stack.callback(bare.stop)
        for index, endpoint in enumerate(endpoints):
            check_response(ours.base, endpoint, token, url)
            query = "?" + endpoint.path.partition("?")[2] if "?" in endpoint.path else ""
            targets = [
                (ours, ours.base + endpoint.path),
                (bare, f"{bare.base}/f/{index}{query}"),
                (bare, f"{bare.base}/r/{index}"),
            ]
            for concurrency in CONCURRENCY:
                print(f"[{name}] {endpoint.kind} {endpoint.path} c={concurrency} ...", flush=True)
                rounds_figures = []
                for round_ in range(rounds):
                    # the order rotates: no app always gets the first seconds after a switch
                    shift = round_ % len(targets)
                    measured: dict[int, Figures] = {}
                    for side in [*range(shift, len(targets)), *range(shift)]:
                        server, target = targets[side]
                        measured[side] = measure(server, target, token, concurrency, seconds, drive)
                    rounds_figures.append((measured[0], measured[1], measured[2]))
                rows.append(Row(endpoint, concurrency, rounds_figures, len(captured[index].statements)))
    return rows


def main() -> None:
    admin = os.environ.get(
        "BENCH_DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    seconds = float(os.environ.get("BENCH_API_SECONDS", "2"))
    rounds = int(os.environ.get("BENCH_API_ROUNDS", "5"))
    only = [s for s in os.environ.get("BENCH_API_ONLY", "").split(",") if s]
    if shutil.which("wrk") is None and os.environ.get("BENCH_API_LOADGEN") != "python":
        subprocess.run([str(REPO / "scripts/ensure-wrk.sh")], check=False)
    loadgen = os.environ.get("BENCH_API_LOADGEN") or ("wrk" if shutil.which("wrk") else "python")
    drive = run_wrk if loadgen == "wrk" else run_python_clients
    if loadgen == "wrk":
        print("load generator: wrk (C, keep-alive; threads = min(connections, 2))")
    else:
        print("load generator: Python client processes (wrk unavailable): the client may be the bottleneck")
    specs = discover_services()
    token = create_token(ServiceSettings(jwt_secret=SECRET), subject="bench", roles=[Role.admin], ttl_s=24 * 3600)
    pool_size = ServiceSettings(jwt_secret=SECRET).db_pool_size
    print("creating, migrating and seeding a throw-away database ...", flush=True)
    url = create_database(admin, specs)
    rows: list[Row] = []
    try:
        for name in specs:
            if only and name not in only:
                continue
            rows += bench_service(name, specs, url, token, pool_size, seconds, drive, rounds)
    finally:
        drop_database(admin, url)
    report(rows, loadgen, seconds, rounds)


@dataclass
class Row:
    """One endpoint at one concurrency: the (ours, floor, bare) figures of each round."""

    endpoint: Endpoint
    concurrency: int
    rounds: list[tuple[Figures, Figures, Figures]]
    statements: int

    def ratios(self, side: int = 0) -> list[float]:
        """``side`` r/s ÷ bare r/s of each round (measured back to back); side 0 is ours, 1 the floor."""
        return sorted(figures[side].rps / figures[2].rps for figures in self.rounds)

    def ratio(self, side: int = 0) -> float:
        return statistics.median(self.ratios(side))

    def median(self, side: int) -> Figures:
        """The median of each figure of one side (0 ours, 1 floor, 2 bare) over the rounds."""
        figures = [one[side] for one in self.rounds]
        return Figures(
            rps=statistics.median(f.rps for f in figures),
            p50_ms=statistics.median(f.p50_ms for f in figures),
            p99_ms=statistics.median(f.p99_ms for f in figures),
            cpu_ms=statistics.median(f.cpu_ms for f in figures),
        )


TARGETS = {"detail": 0.8, "list": 0.7}


def report(rows: list[Row], loadgen: str, seconds: float, rounds: int) -> None:
    print()
    print(
        f"{'service':<10}{'request':<30}{'c':>3}{'SQL':>4} |{'ours r/s':>9}{'p50':>7}{'p99':>7}{'CPU ms':>7}"
        f" |{'bare r/s':>9}{'p50':>7}{'p99':>7}{'CPU ms':>7} |{'ratio':>6}{'range':>11}{'CPU':>6}{'target':>9}"
        f" |{'floor':>6}{'CPU':>6}"
    )
    failures = 0
    for row in rows:
        endpoint, api, floor, bare = row.endpoint, row.median(0), row.median(1), row.median(2)
        ratio, ratios = row.ratio(), row.ratios()
        target = TARGETS[endpoint.kind]
        ok = ratio >= target
        failures += not ok
        request = (endpoint.kind + " " + endpoint.path.split("?")[0])[:29]
        spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f}"
        print(
            f"{endpoint.service:<10}{request:<30}{row.concurrency:>3}{row.statements:>4} |"
            f"{api.rps:>9.0f}{api.p50_ms:>7.2f}{api.p99_ms:>7.2f}{api.cpu_ms:>7.2f} |"
            f"{bare.rps:>9.0f}{bare.p50_ms:>7.2f}{bare.p99_ms:>7.2f}{bare.cpu_ms:>7.2f} |"
            f"{ratio:>6.2f}{spread:>11}{bare.cpu_ms / api.cpu_ms:>6.2f}{target:>5.1f} {'ok' if ok else 'NO'} |"
            f"{row.ratio(1):>6.2f}{bare.cpu_ms / floor.cpu_ms:>6.2f}"
        )
    print(
        "\nlatencies in ms. SQL = statements per request, captured from the service (engine and hot-read pool)\n"
        "and replayed by the bare FastAPI app (bench/bare_api.py: no auth, no middleware, no dependencies; the\n"
        "same ReadPool class and size; records serialised by pydantic-core without a model). Each row is the\n"
        f"median of {rounds} rounds, each ours, floor and bare back to back (the first of them rotating);\n"
        "ratio = median over the rounds of ours r/s / bare r/s (the target), range = the lowest and highest\n"
        "round; CPU = bare CPU per request / ours. CPU ms = the uvicorn process's CPU per request.\n"
        "floor = the same replay behind FastAPI's price for what every service route has (the bearer role\n"
        "check as a dependency, an included router, the list's query model), r/s and CPU ratios to bare: the\n"
        "most a service route can reach on FastAPI's public surface before any work of its own.\n"
        f"Each app runs one process. Load generator: {loadgen}; {seconds:g} s per measurement;\n"
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work here skews wall clock)."
    )
    print(f"targets missed: {failures} of {len(rows)}")


if __name__ == "__main__":
    main()
