"""`houqin up` (what `make run` calls) on embedded servers: everything ready, OpenAPI 3.1, clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
from openapi_spec_validator import validate

REPO = Path(__file__).resolve().parents[2]


def test_houqin_up_on_embedded_servers_serves_and_stops_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOUQIN_")}
    env["HOUQIN_HOME"] = str(tmp_path / "home")
    env["HOUQIN_LOG_LEVEL"] = "WARNING"
    env["HOUQIN_LOCALE"] = "en"  # the output is read against the English msgids
    proc = subprocess.Popen(
        [sys.executable, "-m", "houqin_common.cli_main", "up"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    urls: dict[str, str] = {}
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.match(r"houqin: (\S+)\s+(http://\S+)/docs\s+\((ready|NOT READY)\)", line)
            if m:
                assert m.group(3) == "ready", "".join(lines)
                urls[m.group(1)] = m.group(2)
            if "Ctrl-C stops everything" in line:
                break
        assert set(urls) == {"contracts-api", "telemetry-ingest", "appraisal"}, "".join(lines)
        assert any("embedded MQTT broker" in line for line in lines)
        assert any("embedded PostgreSQL" in line for line in lines)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 3  # the three uvicorn services (and any workers)
        # pg_ctl daemonizes the embedded PostgreSQL: find it by its data directory
        children += [p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
        for name, url in urls.items():
            assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200, name
            spec = httpx.get(f"{url}/openapi.json", timeout=5).json()
            assert spec["openapi"].startswith("3.1")
            validate(spec)
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    leftovers = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not leftovers, leftovers
