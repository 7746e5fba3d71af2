"""`make seed` data gives a 2025 ranking; report files download and open; the CLI writes them."""

from __future__ import annotations

import asyncio
import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import asyncpg
import matplotlib.image as mpimg
import openpyxl
import pytest
from typer.testing import CliRunner

from appraisal.cli import register
from appraisal.main import create_app
from appraisal.seed import seed
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.db import libpq_url
from houqin_common.demo import VENDORS
from houqin_common.embedded import free_port
from support import TEST_SECRET, asgi_client, auth

COUNTS = "SELECT (SELECT count(*) FROM appraisal.response), (SELECT count(*) FROM appraisal.service_item)"


async def _counts(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        row = await conn.fetchrow(COUNTS)
        assert row is not None
        return int(row[0]), int(row[1])
    finally:
        await conn.close()


async def test_seed_is_idempotent_and_ranks_the_demo_vendors(
    fresh_database_url: str, make_token: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(fresh_database_url)
    loading = capsys.readouterr().out.splitlines()
    # `make seed` says what it loads and how far
    assert [line for line in loading if "step " in line] == [
        "houqin seed: step 1 of 5: satisfaction survey 2025H1",
        "houqin seed: step 2 of 5: satisfaction survey 2025H2",
        "houqin seed: step 3 of 5: inspections",
        "houqin seed: step 4 of 5: findings and rectifications",
        "houqin seed: step 5 of 5: complaints",
    ]
    first = await _counts(fresh_database_url)
    await seed(fresh_database_url)
    assert "houqin seed: the demo year 2025 is already loaded" in capsys.readouterr().out
    assert await _counts(fresh_database_url) == first
    assert first[1] >= 30 and first[0] > 200
    settings = Settings(
        database_url=fresh_database_url,
        jwt_secret=TEST_SECRET,
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        contracts_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    sup = auth(make_token(Role.supervisor))
    async with asgi_client(create_app(settings)) as client:
        r = await client.get("/v1/scores", params={"period": "2025"}, headers=auth(make_token(Role.service)))
        ranking = r.json()["items"]
        contracted = {v.id for v in VENDORS if v.projects}
        assert {s["vendor_id"] for s in ranking} == contracted
        assert [s["rank"] for s in ranking] == sorted(s["rank"] for s in ranking) and ranking[0]["rank"] == 1
        assert all(s["total"] is not None for s in ranking)
        # telemetry is down here: the meter-responsible vendors are provisional, the others complete
        incomplete = {s["vendor_id"] for s in ranking if not s["complete"]}
        assert incomplete == {v.id for v in VENDORS if {"maintenance", "smart_building"} & set(v.projects)}

        year = await client.get("/v1/reports/years/2025", params={"format": "xlsx"}, headers=sup)
        assert year.status_code == 200 and "spreadsheetml" in year.headers["content-type"]
        wb = openpyxl.load_workbook(io.BytesIO(year.content))
        sheet = wb["Ranking"]
        assert sheet["A3"].value == "rank" and sheet["A4"].value == 1
        assert sheet.cell(row=3 + len(ranking), column=1).value == ranking[-1]["rank"]
        assert {"Breakdown", "Satisfaction grades"} <= set(wb.sheetnames)

        png = await client.get("/v1/reports/years/2025", params={"format": "png"}, headers=sup)
        image = mpimg.imread(io.BytesIO(png.content), format="png")
        assert image.shape[0] > 400 and image.shape[1] > 800
        svg = await client.get("/v1/reports/years/2025", params={"format": "svg"}, headers=sup)
        assert ET.fromstring(svg.content).tag.endswith("svg")
        rows = list(
            csv.reader(
                io.StringIO(
                    (await client.get("/v1/reports/years/2025", params={"format": "csv"}, headers=sup)).content.decode(
                        "utf-8-sig"
                    )
                )
            )
        )
        # 2025 is not published in the seed: the CSV says so first, then one row per vendor
        assert rows[0][0] == "provisional" and rows[1][0] == "rank"
        assert len(rows) == 2 + len(ranking) and rows[2][2] == ranking[0]["vendor_id"]

        campaigns = (await client.get("/v1/campaigns", params={"period": "2025"}, headers=sup)).json()["items"]
        assert {c["period"] for c in campaigns} == {"2025H1", "2025H2"}
        rate = (await client.get(f"/v1/campaigns/{campaigns[0]['id']}/response-rate", headers=sup)).json()
        assert rate["meets_target"] is True and rate["rate"] > 0.95
        # campaigns close at 23:59 Beijing time, not UTC
        closes = [datetime.fromisoformat(c["closes_at"]).astimezone(clock.office_tz()) for c in campaigns]
        assert {(c.month, c.day, c.hour, c.minute) for c in closes} == {(6, 20, 23, 59), (12, 20, 23, 59)}

        # the current half-year (platform clock): an open survey below target, inspections, complaints,
        # so the current year shows a live provisional ranking
        today = clock.today()
        half = f"{today.year}H{1 if today.month <= 6 else 2}"
        live = (await client.get("/v1/campaigns", params={"period": half}, headers=sup)).json()["items"]
        assert len(live) == 1
        assert datetime.fromisoformat(live[0]["closes_at"]) > clock.now() >= datetime.fromisoformat(live[0]["opens_at"])
        live_rate = (await client.get(f"/v1/campaigns/{live[0]['id']}/response-rate", headers=sup)).json()
        assert live_rate["meets_target"] is False and 0.75 < live_rate["rate"] < 0.95
        current = await client.get("/v1/scores", params={"period": str(today.year)}, headers=sup)
        scored = [s for s in current.json()["items"] if s["total"] is not None]
        assert len(scored) == len(contracted) and all(s["provisional"] for s in scored)
        assert any(c["code"] == "complaints" and c["score"] is not None for s in scored for c in s["components"])
        refused = await client.post(f"/v1/periods/{half}/publish", headers=sup)
        assert refused.status_code == 409 and any("below the target" in r for r in refused.json()["reasons"])
        cx = await client.get(f"/v1/reports/campaigns/{campaigns[0]['id']}", params={"format": "xlsx"}, headers=sup)
        assert {"Vendors", "Service items"} <= set(openpyxl.load_workbook(io.BytesIO(cx.content)).sheetnames)
        cpng = await client.get(f"/v1/reports/campaigns/{campaigns[0]['id']}", params={"format": "png"}, headers=sup)
        assert mpimg.imread(io.BytesIO(cpng.content), format="png").ndim == 3
        vendor = auth(make_token(Role.vendor, vendor_id=ranking[0]["vendor_id"]))
        assert (await client.get("/v1/reports/years/2025", headers=vendor)).status_code == 403


def test_cli_writes_the_year_report(fresh_database_url: str, tmp_path: Path) -> None:
    import typer

    asyncio.run(seed(fresh_database_url))
    app = typer.Typer()
    register(app)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app,
        ["appraisal", "report", "2025", "--out", str(out), "--database-url", fresh_database_url],
        env={
            "HOUQIN_TELEMETRY_URL": f"http://127.0.0.1:{free_port()}",
            "HOUQIN_CONTRACTS_URL": f"http://127.0.0.1:{free_port()}",
            "HOUQIN_HTTP_RETRIES": "0",
        },
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert {"appraisal-2025.csv", "appraisal-2025.xlsx", "appraisal-2025.png", "appraisal-2025.svg"} <= set(names)
    assert len([n for n in names if n.startswith("survey-2025H")]) == 6
    assert openpyxl.load_workbook(out / "appraisal-2025.xlsx")["Ranking"]["A4"].value == 1
    assert mpimg.imread(out / "appraisal-2025.png").shape[2] in (3, 4)
