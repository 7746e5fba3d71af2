"""`GET /v1/renewals` for 100 contracts ending soon (issue 13: target < 300 ms).

A throw-away database holds both demo seeds plus 100 large contracts of eligible demo vendors ending in
the window (every one needs its incumbent's appraisal); the 2025 appraisal is published. appraisal runs
as a real uvicorn process; contracts-api runs in-process (ASGI) and calls appraisal over HTTP. Measured
in the same run: the new path (one batch round-trip to appraisal) and the baseline the issue describes
(one appraisal call per contract, in sequence), plus the new path against an unpublished period.

Environment: ``BENCH_DATABASE_URL`` (server, default postgresql://postgres@127.0.0.1:5432/postgres),
``BENCH_REPEAT`` (10), ``BENCH_PROFILE`` (1 prints a cProfile of the published path).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from decimal import Decimal

import httpx
import psycopg

from appraisal.seed import seed as seed_appraisal
from contracts_api.main import create_app
from contracts_api.models import Contract
from contracts_api.seed import seed as seed_contracts
from contracts_api.settings import Settings
from houqin_common.auth import Role, create_token
from houqin_common.clients import AppraisalClient
from houqin_common.db import create_engine, libpq_url, make_sessionmaker, run_migrations, with_database
from houqin_common.demo import VENDORS
from houqin_common.embedded import free_port

SECRET = "bench-secret-bench-secret-bench-secret-0123"
CONTRACTS = 100
AS_OF = "2026-11-01"


async def add_contracts(url: str) -> None:
    eligible = [v for v in VENDORS[:-1] if v.projects]  # the last demo vendor carries a veto
    engine = create_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            for i in range(CONTRACTS):
                vendor = eligible[i % len(eligible)]
                session.add(
                    Contract(
                        id=str(uuid.uuid4()),
                        project_code=vendor.projects[0],
                        vendor_id=vendor.id,
                        title=f"bench contract {i}",
                        value=Decimal("1200000.00"),
                        start_date=date(2026, 1, 1),
                        end_date=date(2026, 11, 2 + i % 28),
                        status="active",
                        route="open_tender",
                    )
                )
            await session.commit()
    finally:
        await engine.dispose()


def start_appraisal(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOUQIN_DATABASE_URL": url,
        "HOUQIN_JWT_SECRET": SECRET,
        "HOUQIN_ENVIRONMENT": "test",
        "HOUQIN_TELEMETRY_URL": f"http://127.0.0.1:{free_port()}",
        "HOUQIN_CONTRACTS_URL": f"http://127.0.0.1:{free_port()}",
        "HOUQIN_HTTP_RETRIES": "0",
        "HOUQIN_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "appraisal.main:create_app", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--log-level", "warning", "--no-access-log"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("appraisal did not start")


def stats(label: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{label:<58} median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   n={len(ms)}", flush=True)


async def measure(url: str, appraisal_url: str, repeat: int) -> None:
    settings = Settings(database_url=url, jwt_secret=SECRET, appraisal_url=appraisal_url, http_retries=0)
    officer = {"Authorization": f"Bearer {create_token(settings, subject='bench', roles=[Role.procurement])}"}
    supervisor = {"Authorization": f"Bearer {create_token(settings, subject='bench', roles=[Role.supervisor])}"}
    app = create_app(settings)
    params = {"within_days": 60, "as_of": AS_OF, "limit": 100}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contracts", timeout=60) as client:

            async def once() -> tuple[float, dict[str, object]]:
                t0 = time.perf_counter()
                r = await client.get("/v1/renewals", params=params, headers=officer)
                elapsed = time.perf_counter() - t0
                r.raise_for_status()
                return elapsed, r.json()

            _t, body = await once()
            items = body["items"]  # type: ignore[index]
            decided = sum(1 for i in items if i["recommended_route"])  # type: ignore[index, union-attr]
            print(f"renewal candidates: {len(items)}, decided: {decided}", flush=True)  # type: ignore[arg-type]
            stats("new: unpublished 2025 (ranked on request), 1 round-trip", [(await once())[0] for _ in range(repeat)])
            async with httpx.AsyncClient(base_url=appraisal_url, timeout=60) as a:
                (await a.post("/v1/periods/2025/publish", headers=supervisor)).raise_for_status()
            stats("new: published 2025, 1 round-trip", [(await once())[0] for _ in range(repeat)])
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                prof = cProfile.Profile()
                prof.enable()
                for _ in range(5):
                    await once()
                prof.disable()
                pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            pairs = [(i["contract"]["vendor_id"], "2025") for i in items]  # type: ignore[index]
            async with AppraisalClient(appraisal_url, token=officer["Authorization"][7:], retries=0) as appraisal:

                async def batch_alone() -> float:
                    t0 = time.perf_counter()
                    await appraisal.vendor_scores(pairs)
                    return time.perf_counter() - t0

                stats("  of which the batch request to appraisal alone", [await batch_alone() for _ in range(repeat)])

                async def baseline() -> float:
                    # what the old /v1/renewals did: one appraisal request per contract, in sequence
                    t0 = time.perf_counter()
                    await client.get("/v1/renewals", params={**params, "limit": 1}, headers=officer)
                    for vendor_id, period in pairs:
                        with contextlib.suppress(Exception):
                            await appraisal.vendor_score(vendor_id, period)
                    return time.perf_counter() - t0

                stats("baseline: published 2025, 1 request per contract", [await baseline() for _ in range(repeat)])


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    admin = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    repeat = int(os.environ.get("BENCH_REPEAT", "10"))
    name = f"houqin_bench_renewals_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin), name)
    proc: subprocess.Popen[bytes] | None = None
    try:
        run_migrations("contracts_api", url)
        run_migrations("appraisal", url)
        asyncio.run(seed_contracts(url))
        asyncio.run(seed_appraisal(url))
        asyncio.run(add_contracts(url))
        port = free_port()
        proc = start_appraisal(url, port)
        asyncio.run(measure(url, f"http://127.0.0.1:{port}", repeat))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
