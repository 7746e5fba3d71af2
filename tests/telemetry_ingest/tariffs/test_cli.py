"""`houqin tariffs import FILE` against a real telemetry-ingest process."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import typer
from typer.testing import CliRunner

from houqin_common.auth import Role
from support import LiveServices, auth
from telemetry_ingest.cli import register


def test_import_a_csv_and_refuse_a_broken_one(
    live_services: LiveServices, make_token: Callable[..., str], tmp_path: Path
) -> None:
    url = live_services.start("telemetry")
    app = typer.Typer()
    register(app)
    tag = uuid.uuid4().hex[:8]
    good = tmp_path / "电价.csv"
    good.write_text(
        "编号,名称,能源类型,范围,范围编号,生效日期,单位,时段,单价\n"
        f"w-{tag},water,02000,building,B-{tag},2026-01-01,m³,single,4.90\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["tariffs", "import", str(good)], env={"HOUQIN_TELEMETRY_URL": url})
    assert result.exit_code == 0, result.output
    assert "imported 1 new and 0 replaced" in result.output
    r = httpx.get(f"{url}/v1/energy/tariffs/w-{tag}", headers=auth(make_token(Role.supervisor)))
    assert r.status_code == 200 and r.json()["prices"] == {"single": "4.90"}

    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,energy_type,effective_from,period,price\nx-{tag},02000,2026-01-01,single,-3\n")
    result = CliRunner().invoke(app, ["tariffs", "import", str(bad)], env={"HOUQIN_TELEMETRY_URL": url})
    assert result.exit_code == 1
    assert "negative" in result.output
    assert httpx.get(f"{url}/v1/energy/tariffs/x-{tag}", headers=auth(make_token(Role.supervisor))).status_code == 404
