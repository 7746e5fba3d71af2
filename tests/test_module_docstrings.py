"""Every module of the library and the services opens with a docstring saying what it owns (a module without
one is reported: the probe shows the check catches it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Modules another change is rewriting right now (issue 24: the ingest composition); drop when it lands.
PENDING = frozenset(
    {
        "services/telemetry-ingest/src/telemetry_ingest/ingest/__init__.py",
        "services/telemetry-ingest/src/telemetry_ingest/ingest/dependencies.py",
        "services/telemetry-ingest/src/telemetry_ingest/ingest/errors.py",
        "services/telemetry-ingest/src/telemetry_ingest/ingest/router.py",
        "services/telemetry-ingest/src/telemetry_ingest/ingest/schemas.py",
        "services/telemetry-ingest/src/telemetry_ingest/jt808/__init__.py",
    }
)


def _modules() -> list[Path]:
    return sorted([*(ROOT / "libs" / "common" / "src").rglob("*.py"), *(ROOT / "services").glob("*/src/**/*.py")])


def owner_line(source: str) -> str | None:
    """The first line of the module's docstring, or None when it has none (or an empty one)."""
    docstring = ast.get_docstring(ast.parse(source))
    return docstring.strip().splitlines()[0] if docstring and docstring.strip() else None


def test_every_module_says_what_it_owns() -> None:
    missing = [
        rel
        for path in _modules()
        if (rel := path.relative_to(ROOT).as_posix()) not in PENDING
        and owner_line(path.read_text(encoding="utf-8")) is None
    ]
    assert missing == []
    assert len(_modules()) > 200  # the walk found the tree


def test_a_module_without_a_docstring_is_caught() -> None:
    assert owner_line("from __future__ import annotations\n\nX = 1\n") is None
    assert owner_line('# a comment is no docstring\n"""   """\n') is None
    assert owner_line('"""Vendors: the registry.\n\nMore.\n"""\nX = 1\n') == "Vendors: the registry."
