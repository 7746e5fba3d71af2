"""Demo data feeds seeds, the simulator and tests only: no other module of the services or the library
imports `houqin_common.demo`."""

from __future__ import annotations

import ast
from pathlib import Path

from support import REPO

ROOTS = [*sorted((REPO / "services").glob("*/src")), REPO / "libs/common/src"]


def allowed(path: Path) -> bool:
    seed = path.name == "seed.py" or path.name.startswith("seed_")  # seed.py and its parts (seed_office.py)
    # the OpenAPI examples document the demo platform (a request example works on a seeded one); they
    # compute nothing a vendor is scored, paid or renewed on
    examples = path.name == "openapi_examples.py"
    return seed or examples or "simulator" in path.parts or path.name == "demo.py"


def imports_demo(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name == "houqin_common.demo" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            if node.module == "houqin_common.demo":
                return True
            if node.module == "houqin_common" and any(a.name == "demo" for a in node.names):
                return True
    return False


def test_no_real_logic_imports_demo_data() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for root in ROOTS
        for path in sorted(root.rglob("*.py"))
        if not allowed(path) and imports_demo(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"demo data in real logic: {offenders}"


def test_the_check_sees_every_spelling_and_the_seeds_may_use_it() -> None:
    assert imports_demo("from houqin_common.demo import PROJECTS")
    assert imports_demo("import houqin_common.demo")
    assert imports_demo("from houqin_common import clock, demo")
    assert not imports_demo("from houqin_common import clock")
    seeds = [p for root in ROOTS for p in root.rglob("seed.py") if imports_demo(p.read_text(encoding="utf-8"))]
    assert seeds, "the seeds use the demo data (positive control)"
