"""Write deploy/.env.example from the settings classes, so it lists every setting with its default.

uv run python tests/deploy/export_env_example.py          # rewrite the file
uv run python tests/deploy/export_env_example.py --check  # exit 1 when it is stale
"""

from __future__ import annotations

import importlib
import json
import sys
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from houqin_common.app import discover_services
from houqin_common.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
TARGET = REPO / "deploy" / ".env.example"


def set_by_compose() -> set[str]:
    """Variables deploy/compose.yaml sets itself (container names, volumes), so .env must not."""
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for service in compose["services"].values():
        env = service.get("environment") or {}
        names |= set(env) if isinstance(env, dict) else {e.split("=", 1)[0] for e in env}
    return names


HEADER = """\
# Settings of the one-host deployment (deploy/compose.yaml): copy to deploy/.env, then fill in the
# values of the first block. Every other setting is listed commented out with its default: uncomment
# to change it. A service reads HOUQIN_<SERVICE>_X first, then HOUQIN_X (docs/configuration.md).
# Generated from the settings classes by `uv run python tests/deploy/export_env_example.py`.

## Required: secrets (compose refuses to start without them; production refuses weak ones)
# database password; used in a URL, so keep it URL-safe: `openssl rand -hex 24`
POSTGRES_PASSWORD=
# HS256 signing secret of the bearer tokens, 32+ characters: `openssl rand -hex 32`
# (or HOUQIN_JWT_ALGORITHM=RS256 with HOUQIN_JWT_JWKS_URL of your IdP)
HOUQIN_JWT_SECRET=
# the MQTT consumer's broker login; `houqin devices credentials` writes it into deploy/mosquitto/passwd
HOUQIN_TELEMETRY_MQTT_USERNAME=houqin-ingest
HOUQIN_TELEMETRY_MQTT_PASSWORD=

## TimescaleDB container tuning (timescaledb-tune)
#TS_TUNE_MEMORY=4GB
#TS_TUNE_NUM_CPUS=2
"""

REQUIRED = {"HOUQIN_JWT_SECRET", "HOUQIN_TELEMETRY_MQTT_USERNAME", "HOUQIN_TELEMETRY_MQTT_PASSWORD"}


def _json_default(value: Any) -> Any:
    """A setting's nested model (e.g. a canteen price tier) as the JSON the environment variable takes."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple | set):
        return json.dumps(
            value if not isinstance(value, set) else sorted(value), ensure_ascii=False, default=_json_default
        )
    if isinstance(value, Decimal | Path):
        return str(value)
    return str(value)


def _block(title: str, prefix: str, settings_cls: type[BaseSettings], fields: list[str]) -> list[str]:
    lines = ["", f"## {title}"]
    by_compose = set_by_compose()
    for name in fields:
        info = settings_cls.model_fields[name]
        env = f"{prefix}{name.upper()}"
        if env in REQUIRED:
            continue
        default = info.get_default(call_default_factory=True)
        if info.description:
            lines.append(f"# {info.description}")
        if env in by_compose:
            lines.append(f"# {env} is set in compose.yaml (default outside compose: {_value(default)})")
        else:
            lines.append(f"#{env}={_value(default)}")
    return lines


def render() -> str:
    lines = [HEADER.rstrip("\n")]
    shared = list(ServiceSettings.model_fields)
    lines += _block("Shared by every service (HOUQIN_*)", "HOUQIN_", ServiceSettings, shared)
    for spec in discover_services().values():
        module = importlib.import_module(f"{spec.package}.settings")
        settings_cls: type[BaseSettings] = module.Settings
        prefix = str(settings_cls.model_config.get("env_prefix", ""))
        own = [f for f in settings_cls.model_fields if f not in ServiceSettings.model_fields]
        lines += _block(f"{spec.title} ({prefix}*)", prefix, settings_cls, own)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run `uv run python tests/deploy/export_env_example.py`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
