"""The savings statement of a year over HTTP: each project's saving with its inputs, platforms, total, energy."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from appraisal.main import create_app
from appraisal.savings import rules
from appraisal.settings import Settings
from houqin_common.auth import Role
from houqin_common.embedded import free_port
from support import TEST_SECRET, asgi_client, auth


def test_cost_before_takes_exactly_one_basis() -> None:
    assert rules.cost_before(40, Decimal("72000"), None) == (rules.Basis.posts_x_wage, Decimal("2880000.00"))
    assert rules.cost_before(None, None, Decimal("1950000")) == (rules.Basis.office_figure, Decimal("1950000.00"))
    with pytest.raises(rules.SavingsRuleError):
        rules.cost_before(40, None, None)
    with pytest.raises(rules.SavingsRuleError):
        rules.cost_before(40, Decimal("1"), Decimal("2"))


async def test_the_statement_lists_each_projects_saving_with_its_inputs_and_the_total(
    test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    # telemetry-ingest is not listening: the statement says so and leaves energy out of the grand total
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        contracts_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    year = 2043
    office = auth(make_token(Role.office))
    async with asgi_client(create_app(settings)) as client:
        r = await client.put(
            f"/v1/savings/projects/security/{year}",
            json={
                "posts": 40,
                "wage_per_post": "72000",
                "contract_cost": "2400000",
                "contract_cost_source": "安保合同",
            },
            headers=office,
        )
        assert r.status_code == 200, r.text
        assert Decimal(r.json()["saving"]) == Decimal("480000.00")
        r = await client.put(
            f"/v1/savings/projects/catering/{year}",
            json={
                "office_figure": "1950000",
                "office_figure_source": "食堂自办人员经费决算",
                "contract_cost": "1800000",
                "contract_cost_source": "餐饮合同",
            },
            headers=office,
        )
        assert r.status_code == 200
        both = await client.put(
            f"/v1/savings/projects/cleaning/{year}",
            json={
                "posts": 1,
                "wage_per_post": "1",
                "office_figure": "5",
                "contract_cost": "1",
                "contract_cost_source": "x",
            },
            headers=office,
        )
        assert both.status_code == 422 and "not both" in both.json()["detail"]
        r = await client.put(
            f"/v1/savings/platforms/conference_centre/{year}",
            json={"avoided_cost": "1600000", "source": "近 200 场会议 × 宾馆会议室租金约 8 000 元"},
            headers=office,
        )
        assert r.status_code == 200
        # replacing a line keeps one line per project and year
        r = await client.put(
            f"/v1/savings/projects/security/{year}",
            json={
                "posts": 45,
                "wage_per_post": "72000",
                "contract_cost": "2400000",
                "contract_cost_source": "安保合同",
            },
            headers=office,
        )
        assert Decimal(r.json()["saving"]) == Decimal("840000.00")

        got = await client.get(f"/v1/savings/statements/{year}", headers=office)
        assert got.status_code == 200, got.text
        s = got.json()
        lines = {p["project_code"]: p for p in s["projects"]}
        assert set(lines) == {"security", "catering"}
        assert lines["security"]["posts"] == 45 and Decimal(lines["security"]["wage_per_post"]) == 72000
        assert Decimal(lines["security"]["cost_before"]) == 45 * Decimal(72000)
        assert lines["catering"]["basis"] == "office_figure"
        assert lines["catering"]["office_figure_source"] == "食堂自办人员经费决算"
        assert Decimal(lines["catering"]["saving"]) == Decimal("150000.00")
        projects = sum(Decimal(p["saving"]) for p in s["projects"])
        assert Decimal(s["projects_saving"]) == projects == Decimal("990000.00")
        assert Decimal(s["platforms_saving"]) == Decimal("1600000.00")
        assert Decimal(s["total_cny"]) == projects + Decimal("1600000.00")
        assert s["energy"]["available"] is False and "telemetry-ingest" in s["energy"]["source"]
        assert s["grand_total_cny"] is None

        xlsx = await client.get(
            f"/v1/savings/statements/{year}", params={"format": "xlsx"}, headers={**office, "Accept-Language": "zh"}
        )
        assert xlsx.status_code == 200
        rows = [r for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)]
        first = {r[0]: r for r in rows if r and r[0]}
        assert first["节约经费合计(项目 + 共享平台)"][1] == pytest.approx(2590000)
        assert any(r[0] == "security" and r[2] == 45 for r in rows)
        assert (
            await client.get(f"/v1/savings/statements/{year}", headers=auth(make_token(Role.vendor, vendor_id="v")))
        ).status_code == 403
