"""Each image's build and start, without a container: the Dockerfile's own commands, run here.

The build context (what `.dockerignore` lets through) is copied to a temporary folder, the two
`uv sync` lines of the Dockerfile build a venv holding only that member's locked closure, then
`houqin migrate` (the migration command), the image's CMD and its HEALTHCHECK command run from that
venv against a fresh database. An import the member does not declare fails here as in the image.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from houqin_common.embedded import free_port
from support import create_test_database, drop_test_database

CONTEXT_DIRS = ("libs/common", "services")
CONTEXT_FILES = ("uv.lock", "pyproject.toml")


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.fail("uv is needed to build the service venvs (the Makefile installs it)")
    return uv


def _copy_context(repo: Path, dest: Path) -> None:
    for name in CONTEXT_FILES:
        shutil.copy2(repo / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "Dockerfile", ".venv", "tests")
    for name in CONTEXT_DIRS:
        shutil.copytree(repo / name, dest / name, ignore=ignore)


@pytest.fixture
def empty_database(pg_admin_url):
    url = create_test_database(pg_admin_url, migrate=False)
    yield url
    drop_test_database(pg_admin_url, url)


def test_image_commands_work_from_a_venv_with_only_the_members_closure(layout, repo, tmp_path, empty_database):
    context = tmp_path / "context"
    context.mkdir()
    _copy_context(repo, context)
    venv = tmp_path / "venv"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HOUQIN_", "VIRTUAL_ENV"))},
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_LINK_MODE": "copy",
        "UV_PYTHON_DOWNLOADS": "never",
    }
    runs = [i.args for s in layout.stages for i in s.all("RUN") if "uv sync" in i.args]
    for run in runs:
        sync = shlex.split(run[run.index("uv sync") :])
        done = subprocess.run([_uv(), *sync[1:], "--quiet"], cwd=context, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(sync)} failed:\n{done.stderr[-3000:]}"

    bin_dir = venv / "bin"
    service_env = {
        **env,
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "HOUQIN_ENVIRONMENT": "test",
        "HOUQIN_DATABASE_URL": empty_database,
        "HOUQIN_LOG_JSON": "false",
        "HOUQIN_LOCALE": "en",  # the assertions read the English msgids
    }
    migrate = subprocess.run(
        [str(bin_dir / "houqin"), "migrate"], env=service_env, capture_output=True, text=True, timeout=180
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    assert f"migrating {layout.spec.name}" in migrate.stdout
    # only this member is installed, so only its schema is migrated
    others = [n for n in ("contracts", "telemetry", "appraisal") if n != layout.spec.name]
    assert not any(f"migrating {n}" in migrate.stdout for n in others)

    final = layout.stages[-1]
    port = free_port()
    cmd = json.loads(final.all("CMD")[-1].args)
    cmd[cmd.index("--port") + 1] = str(port)
    cmd[cmd.index("--host") + 1] = "127.0.0.1"
    health = json.loads(final.all("HEALTHCHECK")[0].args.split("CMD", 1)[1].strip())
    health = [h.replace(f":{layout.spec.port}/", f":{port}/") for h in health]
    proc = subprocess.Popen([str(bin_dir / cmd[0]), *cmd[1:]], env=service_env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else "exited"
        assert ready is not None and ready.status_code == 200, ready.text if ready else "no answer"
        check = subprocess.run([str(bin_dir / health[0]), *health[1:]], env=service_env, timeout=10)
        assert check.returncode == 0, "the image's HEALTHCHECK command fails against the running service"
    finally:
        proc.terminate()
        proc.wait(10)
