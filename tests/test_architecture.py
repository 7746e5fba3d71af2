"""The import-linter contracts of pyproject.toml hold on the tree, and they do catch a router that reads a
repository or a repository that reaches up into a service (a probe package breaks them on purpose)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _run(cwd: Path, *args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_tree_keeps_every_import_contract() -> None:
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout


def _probe_config(contracts: list[dict[str, Any]]) -> str:
    """The per-domain contracts of pyproject.toml, applied to a package ``probe_api`` instead of contracts_api
    (without their ignore lists: the probe has no pending exceptions)."""
    lines = ["[importlinter]", "root_package = probe_api", ""]
    for index, contract in enumerate(c for c in contracts if c["type"] in ("forbidden", "layers")):
        fields = {k: v for k, v in contract.items() if k not in ("ignore_imports", "name")}
        module_lists = [k for k, v in fields.items() if isinstance(v, list) and k != "layers"]
        if not any(str(m).startswith("contracts_api") for k in module_lists for m in fields[k]):
            continue
        lines += [f"[importlinter:contract:{index}]", f"name = {contract['name']}"]
        for key, value in fields.items():
            if isinstance(value, list):
                kept = [str(v).replace("contracts_api", "probe_api") for v in value]
                kept = [v for v in kept if key == "layers" or v.startswith("probe_api")]
                lines += [f"{key} =", *(f"    {v}" for v in kept)]
            else:
                lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else value}")
        lines.append("")
    return "\n".join(lines)


def test_a_router_importing_a_repository_and_a_repository_importing_a_service_break_the_contracts(
    tmp_path: Path,
) -> None:
    package = tmp_path / "probe_api"
    files = {
        "__init__.py": "",
        "things/__init__.py": "",
        "things/repository.py": "from probe_api.things import service\n",
        "things/service.py": "VALUE = 1\n",
        "things/router.py": "from probe_api.things import repository\n",
        "good/__init__.py": "",
        "good/repository.py": "VALUE = 1\n",
        "good/service.py": "from probe_api.good import repository\n",
        "good/router.py": "from probe_api.good import service\n",
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    config = tmp_path / ".importlinter"
    config.write_text(_probe_config(_contracts()), encoding="utf-8")

    result = _run(tmp_path, "--config", str(config), pythonpath=str(tmp_path))

    assert result.returncode != 0, result.stdout
    assert "probe_api.things.router is not allowed to import probe_api.things.repository" in result.stdout
    assert "probe_api.things.repository -> probe_api.things.service" in result.stdout
    # the well-layered domain is not reported
    assert "probe_api.good." not in result.stdout
