"""`houqin up` (what `make run` calls) on embedded servers: everything ready, OpenAPI 3.1, clean stop; with its
preferred ports held by an impostor that answers 200 everywhere, it still reports only its own children."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psutil
from openapi_spec_validator import validate

REPO = Path(__file__).resolve().parents[2]


class Impostor(BaseHTTPRequestHandler):
    """Another process on a service's preferred port: 200 to every request, like a healthy service."""

    def do_GET(self) -> None:
        body = b'{"status": "ok", "checks": {}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def hold_ports(ports: list[int]) -> list[ThreadingHTTPServer]:
    servers = []
    for port in ports:
        with contextlib.suppress(OSError):  # already held by something else: just as good for this test
            server = ThreadingHTTPServer(("127.0.0.1", port), Impostor)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
    return servers


def test_houqin_up_on_embedded_servers_serves_and_stops_cleanly(tmp_path: Path) -> None:
    impostors = hold_ports([8001, 8002, 8003])
    held = {s.server_address[1] for s in impostors}
    assert held, "none of the preferred ports could be held: the test would prove nothing"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOUQIN_")}
    env["HOUQIN_HOME"] = str(tmp_path / "home")
    env["HOUQIN_LOG_LEVEL"] = "WARNING"
    env["HOUQIN_LOCALE"] = "en"  # the output is read against the English msgids
    proc = subprocess.Popen(
        [sys.executable, "-m", "houqin_common", "up"],
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
        deadline = time.monotonic() + 240
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
        assert any("Mosquitto child, project config" in line for line in lines), "".join(lines)
        assert sum("is taken by another process" in line for line in lines) >= len(held), "".join(lines)
        assert any("embedded PostgreSQL" in line for line in lines)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 3  # the three uvicorn services (and any workers)
        # pg_ctl daemonizes the embedded PostgreSQL: find it by its data directory
        children += [p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
        instances: dict[str, str] = {}
        for name, url in urls.items():
            assert int(url.rsplit(":", 1)[1]) not in held, (name, url)
            ready = httpx.get(f"{url}/readyz", timeout=5)
            assert ready.status_code == 200, name
            instances[name] = ready.json()["instance"]
            spec = httpx.get(f"{url}/openapi.json", timeout=5).json()
            assert spec["openapi"].startswith("3.1")
            validate(spec)
        # each answer came from this run's own child: one run id, one instance per service
        assert len({i.split("-", 1)[0] for i in instances.values()}) == 1, instances
        assert len(set(instances.values())) == 3, instances
        # the JT/T 808 gateway listens on the local address only, and says where
        gateway = [line for line in lines if line.startswith("houqin: JT/T 808")]
        assert gateway and "tcp://127.0.0.1:" in gateway[0], "".join(lines)
    finally:
        for server in impostors:
            server.shutdown()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        try:
            rest, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    leftovers = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not leftovers, leftovers
    # Ctrl-C is a clean stop: exit 0 (`make run` ends without "Error 1"), no worker reported as failed
    assert proc.returncode == 0, rest
    assert "houqin: stopped" in rest, rest
    assert "exited with" not in rest and "Traceback" not in rest, rest
