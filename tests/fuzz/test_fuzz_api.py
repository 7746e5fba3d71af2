"""Schemathesis against each service: real uvicorn, real database, an admin token.

Every operation of each service's OpenAPI gets generated requests (examples, coverage of the edges
of each schema, then random positive and negative data), bounded by FUZZ_MAX_EXAMPLES per operation.
No response may be a 5xx, use an undeclared status code or content type, or break its declared
schema. A failure prints schemathesis' own report: each failing operation with a curl line to
reproduce it.

The services run against a database of their own, so the fuzzer's random records never meet the
other tests' data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from houqin_common.app import discover_services
from houqin_common.auth import Role
from support import LiveServices, create_test_database, drop_test_database

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
SEED = int(os.environ.get("FUZZ_SEED", "20261127"))
TIME_BUDGET_S = int(os.environ.get("FUZZ_TIME_BUDGET_S", "540"))  # appraisal has ~100 operations now
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


@pytest.fixture(scope="module")
def fuzz_services(pg_admin_url: str, test_env: dict[str, str]) -> Iterator[LiveServices]:
    url = create_test_database(pg_admin_url)
    services = LiveServices({**test_env, "HOUQIN_DATABASE_URL": url})
    try:
        for name in discover_services():
            services.start(name)
        yield services
    finally:
        services.stop_all()
        drop_test_database(pg_admin_url, url)


@pytest.fixture(scope="module")
def fuzz_runs(fuzz_services, make_token, tmp_path_factory) -> Iterator[dict[str, tuple[subprocess.Popen[str], Path]]]:
    """One schemathesis process per service, all at once (one worker each: Python 3.11.7's `ast` is
    not thread-safe and schemathesis' worker threads trip over it)."""
    token = make_token(Role.admin, subject="fuzzer")
    runs: dict[str, tuple[subprocess.Popen[str], Path]] = {}
    for name, base_url in fuzz_services.urls.items():
        out = tmp_path_factory.mktemp(f"fuzz-{name}") / "schemathesis.txt"
        cmd = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{base_url}/openapi.json",
            "--url",
            base_url,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            ",".join(CHECKS),
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--request-timeout",
            "10",
            "--workers",
            "1",
            "--exclude-path-regex",
            "^/metrics$",
            "--suppress-health-check",
            "all",
            "--continue-on-failure",
            "--output-truncate",
            "false",
        ]
        with out.open("w", encoding="utf-8") as fh:
            proc = subprocess.Popen(
                cmd, stdout=fh, stderr=subprocess.STDOUT, text=True, env={**os.environ, "NO_COLOR": "1"}
            )
        runs[name] = (proc, out)
    yield runs
    for proc, _ in runs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.timeout(TIME_BUDGET_S + 60)
@pytest.mark.parametrize("name", sorted(discover_services()))
def test_no_operation_answers_5xx_or_breaks_its_schema(name, fuzz_runs):
    proc, out = fuzz_runs[name]
    try:
        proc.wait(TIME_BUDGET_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"schemathesis on {name} did not finish within {TIME_BUDGET_S} s:\n{out.read_text()[-5000:]}")
    if proc.returncode != 0:
        pytest.fail(f"schemathesis found problems in {name}:\n{out.read_text(encoding='utf-8')[-30000:]}")
