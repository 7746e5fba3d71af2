"""The dependency ranges we declare are the ones we test: every direct dependency of the workspace (the
library's, each service's, the optional extras, the dev group) has as its lower bound exactly the version
uv.lock pins (the lowest one where the lock pins several per Python version). A range that allows an
untested older version is reported (the probe shows it). Why this rather than a lowest-direct CI run:
docs/contributing.md, "Dependencies"."""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECTS = [
    ROOT / "pyproject.toml",
    ROOT / "libs/common/pyproject.toml",
    *sorted(ROOT.glob("services/*/pyproject.toml")),
]


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions() -> dict[str, Version]:
    """The lowest version uv.lock pins per package (the lock forks numpy by Python version)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    versions: dict[str, list[Version]] = defaultdict(list)
    for package in lock["package"]:
        if "version" in package and "editable" not in package["source"] and "virtual" not in package["source"]:
            versions[_name(package["name"])].append(Version(package["version"]))
    return {name: min(found) for name, found in versions.items()}


def direct_requirements(pyproject: dict[str, Any]) -> list[Requirement]:
    project = pyproject.get("project", {})
    texts = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    for group in pyproject.get("dependency-groups", {}).values():
        texts += [t for t in group if isinstance(t, str)]
    return [Requirement(t) for t in texts]


def range_errors(pyproject: dict[str, Any], locked: dict[str, Version], workspace: set[str]) -> list[str]:
    errors = []
    for requirement in direct_requirements(pyproject):
        name = _name(requirement.name)
        if name in workspace:
            continue
        floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=")]
        if name not in locked:
            errors.append(f"{requirement}: not in uv.lock (run `uv lock`)")
        elif floors != [locked[name]]:
            errors.append(f"{requirement}: the lowest allowed version must be the locked {locked[name]}")
    return errors


def _workspace() -> set[str]:
    return {_name(tomllib.loads(p.read_text(encoding="utf-8"))["project"]["name"]) for p in PYPROJECTS[1:]}


def test_every_direct_dependency_starts_at_the_locked_version() -> None:
    locked = locked_versions()
    errors = {
        str(path.relative_to(ROOT)): found
        for path in PYPROJECTS
        if (found := range_errors(tomllib.loads(path.read_text(encoding="utf-8")), locked, _workspace()))
    }
    assert errors == {}
    assert len(direct_requirements(tomllib.loads(PYPROJECTS[1].read_text(encoding="utf-8")))) > 10


def test_a_range_below_the_lock_or_without_a_floor_is_reported() -> None:
    probe = {
        "project": {
            "dependencies": ["fastapi>=0.121", "houqin-common", "httpx", "pydantic==2.14.4"],
            "optional-dependencies": {"x": ["amqtt>=0.12.1"]},
        },
        "dependency-groups": {"dev": ["not-a-locked-package>=1"]},
    }
    locked = {"fastapi": Version("0.165.0"), "httpx": Version("0.28.1"), "pydantic": Version("2.14.4")}
    locked["amqtt"] = Version("0.12.1")
    assert range_errors(probe, locked, {"houqin-common"}) == [
        "fastapi>=0.121: the lowest allowed version must be the locked 0.165.0",
        "httpx: the lowest allowed version must be the locked 0.28.1",
        "not-a-locked-package>=1: not in uv.lock (run `uv lock`)",
    ]
