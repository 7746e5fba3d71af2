"""What the deployment tests share: where each service lives and how its Dockerfile reads."""

from __future__ import annotations

import importlib.util
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from houqin_common.app import ServiceSpec, discover_services

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(path: Path) -> list[Stage]:
    """Stages of a Dockerfile: continuation lines joined, comments and parser directives dropped."""
    stages: list[Stage] = []
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        logical.append((start, buffer + line))
        buffer = ""
    for number, text in logical:
        keyword, _, args = text.partition(" ")
        instruction = Instruction(keyword.upper(), args.strip(), number)
        if instruction.keyword == "FROM":
            words = shlex.split(instruction.args)
            words = [w for w in words if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        stages[-1].instructions.append(instruction)
    return stages


@dataclass(frozen=True)
class ServiceLayout:
    spec: ServiceSpec
    root: Path  # services/<dir>

    @property
    def distribution(self) -> str:
        return f"houqin-{self.root.name}"

    @property
    def dockerfile(self) -> Path:
        return self.root / "Dockerfile"

    @property
    def stages(self) -> list[Stage]:
        return parse_dockerfile(self.dockerfile)


def service_layouts() -> dict[str, ServiceLayout]:
    out: dict[str, ServiceLayout] = {}
    for name, spec in discover_services().items():
        found = importlib.util.find_spec(spec.package)
        assert found is not None and found.origin is not None, spec.package
        # services/<dir>/src/<package>/__init__.py
        root = Path(found.origin).resolve().parents[2]
        out[name] = ServiceLayout(spec=spec, root=root)
    return out


SERVICES = service_layouts()


@pytest.fixture(params=sorted(SERVICES), ids=sorted(SERVICES))
def layout(request: pytest.FixtureRequest) -> ServiceLayout:
    """One service at a time: its spec, its folder, its Dockerfile."""
    return SERVICES[request.param]


@pytest.fixture(scope="session")
def layouts() -> dict[str, ServiceLayout]:
    return SERVICES


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
