"""`houqin vendors|procurement|contracts ...` against a real contracts-api process."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
import pytest
import typer
from openpyxl import Workbook
from typer.testing import CliRunner

from contracts_api.cli import register
from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.credit_code import make as make_credit_code
from houqin_common.demo import VENDORS
from houqin_common.embedded import free_port
from support import LiveServices, auth


@pytest.fixture(scope="module")
def cli(live_services: LiveServices, seeded: str) -> tuple[typer.Typer, dict[str, str]]:
    # appraisal deliberately unreachable for this process: renewal routes must say they are undecided
    closed = f"http://127.0.0.1:{free_port()}"
    url = live_services.start("contracts", extra_env={"HOUQIN_CONTRACTS_APPRAISAL_URL": closed})
    app = typer.Typer()
    register(app)
    return app, {"HOUQIN_CONTRACTS_URL": url}


def invoke(cli: tuple[typer.Typer, dict[str, str]], *args: str):
    app, env = cli
    return CliRunner().invoke(app, list(args), env=env)


def vendor_count(cli, make_token, q: str) -> int:
    r = httpx.get(
        f"{cli[1]['HOUQIN_CONTRACTS_URL']}/v1/vendors", params={"q": q}, headers=auth(make_token(Role.auditor))
    )
    return int(r.json()["total"])


def test_import_csv_is_all_or_nothing_with_row_errors(cli, make_token, tmp_path: Path) -> None:
    base = 700_000_000 + clock.today().toordinal() % 1000 * 1000 + 17
    good = [make_credit_code(base + i) for i in range(3)]
    path = tmp_path / "vendors.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["名称", "统一社会信用代码", "联系人"])
        w.writerow(["导入CLI甲公司", good[0], "王"])
        w.writerow(["导入CLI乙公司", good[1][:17] + ("0" if good[1][17] != "0" else "1"), "李"])
        w.writerow(["导入CLI丙公司", good[2], "赵"])
    r = invoke(cli, "vendors", "import", str(path))
    assert r.exit_code == 1, r.output
    assert "row 2: credit_code" in r.output and "check character" in r.output
    assert vendor_count(cli, make_token, good[0]) == 0, "nothing half-imported"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "credit_code"])
        w.writerow(["导入CLI甲公司", good[0]])
        w.writerow(["导入CLI丙公司", good[2]])
    r = invoke(cli, "vendors", "import", str(path))
    assert r.exit_code == 0, r.output
    assert "imported 2 vendors" in r.output
    assert vendor_count(cli, make_token, good[2]) == 1


def test_import_xlsx(cli, make_token, tmp_path: Path) -> None:
    code = make_credit_code(800_000_000 + clock.today().toordinal() % 1000 * 1000 + 29)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位名称", "统一社会信用代码", "联系电话"])
    sheet.append(["表格导入公司", code, 13800000000])
    sheet.append([None, None, None])
    path = tmp_path / "vendors.xlsx"
    book.save(path)
    r = invoke(cli, "vendors", "import", str(path))
    assert r.exit_code == 0, r.output
    assert vendor_count(cli, make_token, code) == 1


def test_import_refuses_a_file_without_the_needed_columns(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    r = invoke(cli, "vendors", "import", str(path))
    assert r.exit_code == 1 and "the header row needs the columns name, credit_code" in r.output


def test_eligibility_prints_the_grounds_and_exits_3_when_excluded(cli) -> None:
    ok = invoke(cli, "vendors", "eligibility", VENDORS[0].id)
    assert ok.exit_code == 0 and "eligible" in ok.output
    assert ok.output.startswith(VENDORS[0].name), ok.output  # named, not a bare id
    vetoed = invoke(cli, "vendors", "eligibility", VENDORS[-1].id)
    assert vetoed.exit_code == 3 and "one-vote veto: poor credit" in vetoed.output
    unknown = invoke(cli, "vendors", "eligibility", "00000000-0000-0000-0000-000000000000")
    assert unknown.exit_code == 1 and "not found" in unknown.output


def test_procurement_route(cli) -> None:
    r = invoke(cli, "procurement", "route", "security", "--value", "620000")
    # the project by its name, the route by its label in the reader's language
    assert r.exit_code == 0 and "CNY: open tender" in r.output and "at or above" in r.output
    assert "security" not in r.output.splitlines()[0]
    r = invoke(cli, "procurement", "route", "hairdresser", "--value", "30000", "--renewal")
    assert r.exit_code == 0 and "CNY: price comparison" in r.output
    r = invoke(cli, "procurement", "route", "security", "--value", "abc")
    assert r.exit_code == 2
    r = invoke(cli, "procurement", "route", "security", "--value", "-5")
    assert r.exit_code == 1 and "query.value: must be at least 0" in r.output


def test_renewal_route_when_appraisal_is_down_says_it_could_not_decide(cli) -> None:
    r = invoke(cli, "procurement", "route", "security", "--value", "2400000", "--renewal")
    assert r.exit_code == 2 and "route could not be decided" in r.output


def test_contracts_expiring_lists_the_demo_renewals(cli) -> None:
    # seen from 1 December 2026, the demo contracts ending 2026-12-31 are due, whatever day the suite runs
    r = invoke(cli, "contracts", "expiring", "--days", "90", "--as-of", "2026-12-01")
    assert r.exit_code == 0, r.output
    # the project by its name in the reader's language (English here), the vendor by its registered name, the
    # route by its label: no code or id on the line
    line = next(line for line in r.output.splitlines() if "Beauty and hairdressing" in line)
    assert "2026-12-31" in line and "( 30 d)" in line and "next: price comparison" in line
    assert "常州名剪美发店" in line and "hairdresser " not in line and "美容美发" not in line
    app, env = cli
    zh = CliRunner().invoke(
        app, ["contracts", "expiring", "--days", "90", "--as-of", "2026-12-01"], env={**env, "HOUQIN_LOCALE": "zh-CN"}
    )
    assert any("美容美发" in ln and "常州名剪美发店" in ln for ln in zh.output.splitlines()), zh.output
    assert "UNDECIDED" in r.output, "routes needing the (stopped) appraisal are not guessed"
