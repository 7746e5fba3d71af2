"""No module of the library, the services or the bench imports a private name (``_``-prefixed module or
attribute) of a framework or driver we depend on: those names change without notice between the versions our
ranges allow. A probe with private imports shows the check catches them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPENDENCIES = frozenset(
    {
        "fastapi",
        "starlette",
        "sqlalchemy",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "paho",
        "aiomqtt",
        "asyncpg",
        "psycopg",
        "psycopg_pool",
        "httpx",
        "uvicorn",
    }
)


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _sources() -> Iterator[Path]:
    yield from sorted((ROOT / "libs" / "common" / "src").rglob("*.py"))
    for service in sorted((ROOT / "services").iterdir()):
        yield from sorted((service / "src").rglob("*.py"))
    yield from sorted((ROOT / "bench").rglob("*.py"))


def private_uses(source: str) -> list[str]:
    """Each private name of a dependency that ``source`` imports, or reaches as an attribute of a dependency
    module it imported (``import sqlalchemy as sa; sa.engine._x``)."""
    found: list[str] = []
    module_aliases: dict[str, str] = {}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] not in DEPENDENCIES:
                    continue
                if any(_private(p) for p in parts):
                    found.append(alias.name)
                module_aliases[alias.asname or parts[0]] = (alias.asname and alias.name) or parts[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] not in DEPENDENCIES:
                continue
            if any(_private(p) for p in parts):
                found.append(node.module)
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
                else:
                    module_aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain: list[str] = []
            current: ast.expr = node
            while isinstance(current, ast.Attribute):
                chain.append(current.attr)
                current = current.value
            if isinstance(current, ast.Name) and current.id in module_aliases and _private(chain[0]):
                found.append(".".join([module_aliases[current.id], *reversed(chain)]))
    return found


def test_no_module_imports_a_private_name_of_a_dependency() -> None:
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in _sources()
        if (uses := private_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_catches_private_modules_names_and_attributes() -> None:
    probe = "\n".join(
        [
            "import fastapi",
            "import sqlalchemy as sa",
            "from starlette._utils import get_route_path",
            "from fastapi.dependencies.utils import _get_param_model",
            "import pydantic._internal._model_construction",
            "from sqlalchemy.dialects.postgresql import asyncpg",
            "x = sa.sql._typing",
            "y = asyncpg._private_thing",
            "z = fastapi.routing.__all__",  # a dunder is public
            "from mylib._inner import thing",  # not a dependency
            "from fastapi import FastAPI, __version__",
        ]
    )
    assert private_uses(probe) == [
        "starlette._utils",
        "fastapi.dependencies.utils._get_param_model",
        "pydantic._internal._model_construction",
        "sqlalchemy.sql._typing",
        "sqlalchemy.dialects.postgresql.asyncpg._private_thing",
    ]
    assert private_uses("import fastapi\nfrom sqlalchemy import select\nq = select\n") == []
