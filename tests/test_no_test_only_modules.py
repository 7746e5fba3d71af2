"""No module under ``services/*/src`` exists only for the tests or the bench: each is reached by imports from
what the platform runs of its service (the app factory, the workers, the CLI, the seed, the entry-point
spec, the migrations). A module only a test imports is reported (the probe shows the walk catches one)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

import grimp

from houqin_common.app import discover_services

ROOT = Path(__file__).resolve().parents[1]


def _entry_modules(package: str) -> set[str]:
    """The modules the platform loads of ``package``: its spec's targets and its pyproject entry points."""
    roots: set[str] = set()
    for spec in discover_services().values():
        if spec.package == package:
            targets = [spec.app_factory, *spec.workers.values(), *([spec.seed] if spec.seed else [])]
            roots |= {target.partition(":")[0] for target in targets}
    for pyproject in ROOT.glob("services/*/pyproject.toml"):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        for group in project.get("entry-points", {}).values():
            roots |= {t.partition(":")[0] for t in group.values() if t.startswith(f"{package}.")}
    return roots


def unreached(modules: Iterable[str], roots: Iterable[str], imported_by: Callable[[str], set[str]]) -> list[str]:
    """The ``modules`` no import chain from ``roots`` reaches (a reached module's parent packages count as
    reached: importing ``a.b.c`` runs ``a`` and ``a.b``)."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        module = stack.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        stack += [".".join(parts[:i]) for i in range(1, len(parts))]
        stack += imported_by(module)
    return sorted(set(modules) - seen)


def test_every_service_module_is_used_by_the_service() -> None:
    packages = sorted({spec.package for spec in discover_services().values()})
    graph = grimp.build_graph(*packages, "houqin_common", cache_dir=None)
    missing = {}
    for package in packages:
        modules = graph.find_descendants(package) | {package}
        roots = _entry_modules(package) | {m for m in modules if m.startswith(f"{package}.migrations.")}
        roots |= {f"{package}.__main__"} & modules
        if found := unreached(modules, roots, graph.find_modules_directly_imported_by):
            missing[package] = found
    assert missing == {}


def test_a_module_only_the_tests_import_is_reported() -> None:
    imports = {
        "svc.main": {"svc.api"},
        "svc.api": {"svc.things.router"},
        "svc.things.router": {"svc.things.service"},
        "svc.things.service": set(),
        "svc.things.reference": {"svc.things.service"},  # the oracle the tests compare against
    }
    modules = [*imports, "svc", "svc.things"]
    assert unreached(modules, ["svc.main"], lambda m: imports.get(m, set())) == ["svc.things.reference"]
