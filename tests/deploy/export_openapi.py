"""Write each service's OpenAPI document to docs/openapi/<service>.json (what frontends generate from).

    uv run python tests/deploy/export_openapi.py          # rewrite the snapshots
    uv run python tests/deploy/export_openapi.py --check  # exit 1 when one is stale

The documents come from `create_app().openapi()`, so they are exactly what `/openapi.json` serves.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from houqin_common.app import ServiceSpec, discover_services

REPO = Path(__file__).resolve().parents[2]
TARGET_DIR = REPO / "docs" / "openapi"
COMMAND = "uv run python tests/deploy/export_openapi.py"


def service_dir_name(spec: ServiceSpec) -> str:
    """`contracts-api` for contracts_api: the folder name under services/ is the service's name."""
    found = importlib.util.find_spec(spec.package)
    assert found is not None and found.origin is not None
    return Path(found.origin).resolve().parents[2].name


def generate(spec: ServiceSpec) -> dict[str, Any]:
    module, _, attr = spec.app_factory.partition(":")
    settings_module = importlib.import_module(f"{spec.package}.settings")
    if hasattr(settings_module.get_settings, "cache_clear"):
        settings_module.get_settings.cache_clear()
    app = getattr(importlib.import_module(module), attr)()
    document: dict[str, Any] = app.openapi()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def documents() -> dict[Path, str]:
    return {TARGET_DIR / f"{service_dir_name(s)}.json": render(generate(s)) for s in discover_services().values()}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    stale = []
    for path, text in documents().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if "--check" in argv:
            stale.append(path.relative_to(REPO).as_posix())
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    if stale:
        print(f"stale OpenAPI snapshot(s): {', '.join(stale)}; run `{COMMAND}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
