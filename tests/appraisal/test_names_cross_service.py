"""Names, not ids, and no demo data: a vendor and a project registered in contracts-api (real uvicorn
services) are scored by the project's service type and named by their registered names in scores and
reports; with contracts-api down the scores keep their numbers and say that the names are missing."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable

import httpx
import openpyxl

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.credit_code import make as make_credit_code
from houqin_common.embedded import free_port
from support import TEST_SECRET, LiveServices, asgi_client, auth


async def test_a_new_vendor_and_project_are_scored_by_their_scheme_and_reported_by_name(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    tag = uuid.uuid4().hex[:6]
    name = f"常州新苑商务服务有限公司{tag}"
    project = f"bizcenter_{tag}"
    label = f"商务中心{tag}"
    contracts_url = live_services.start("contracts")
    procurement = auth(make_token(Role.procurement))
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        vendor = await contracts.post(
            "/v1/vendors",
            json={"name": name, "credit_code": make_credit_code(uuid.uuid4().int % 10**8)},
            headers=procurement,
        )
        assert vendor.status_code == 201, vendor.text
        vendor_id = vendor.json()["id"]
        created = await contracts.post(
            "/v1/projects",
            json={
                "code": project,
                "name": "Business centre",
                "name_zh": label,
                "funding": "hosted",
                "operation": "managed",
                "service_type": "commercial",
                "annual_value": "80000.00",
            },
            headers=procurement,
        )
        assert created.status_code == 201, created.text
    appraisal_url = live_services.start("appraisal")
    sup = auth(make_token(Role.supervisor))
    async with httpx.AsyncClient(base_url=appraisal_url, timeout=60) as client:
        world = await World(client, make_token).build(project_codes=[project], vendor_ids=[vendor_id], period="2039H1")
        for t in await world.tokens(2):
            assert (await world.answer(t, "good")).status_code == 201
        r = await client.get("/v1/scores", params={"period": "2039"}, headers=sup)
        assert r.status_code == 200, r.text
        ours = next(s for s in r.json()["items"] if s["vendor_id"] == vendor_id)
        assert ours["vendor_name"] == name
        assert ours["projects"] == [{"code": project, "name_zh": label}]
        # the commercial scheme weighs satisfaction 0.50 (support: 0.35): the category came from contracts-api
        assert ours["scheme"] == "commercial"
        satisfaction = next(c for c in ours["components"] if c["code"] == "satisfaction")
        assert satisfaction["weight"] == 0.5 and satisfaction["note"].endswith("[scheme commercial services]")
        zh = await client.get(
            f"/v1/scores/{vendor_id}", params={"period": "2039"}, headers={**sup, "Accept-Language": "zh-CN"}
        )
        assert (
            "【考核方案：经营性服务】"
            in next(c for c in zh.json()["components"] if c["code"] == "satisfaction")["note"]
        )

        report = await client.get("/v1/reports/years/2039", params={"format": "csv"}, headers=sup)
        rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
        mine = next(row for row in rows if len(row) > 3 and row[2] == vendor_id)  # below the provisional mark
        assert mine[1] == name and mine[3] == label
        xlsx = await client.get(
            "/v1/reports/years/2039", params={"format": "xlsx"}, headers={**sup, "Accept-Language": "zh-CN"}
        )
        wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        sheet = wb["排名"]
        cells = [c.value for row in sheet.iter_rows() for c in row]
        assert name in cells and label in cells
        assert any(isinstance(c, str) and c.startswith("2039 年度后勤服务单位考核") for c in cells)  # (暂定) after it
        assert sheet["B4"].font.name == "Noto Sans CJK SC"
        star = await client.post(
            "/v1/service-stars",
            json={"year": 2039, "vendor_id": vendor_id, "person_name": "张晓梅", "reason": "全年零差错"},
            headers=sup,
        )
        assert star.status_code == 201, star.text
        stars = (await client.get("/v1/service-stars", params={"vendor_id": vendor_id}, headers=sup)).json()
        assert [s["vendor_name"] for s in stars["items"]] == [name]

    # contracts-api down: the same scores, names null, the reports say why
    down = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=f"http://127.0.0.1:{free_port()}",
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    async with asgi_client(create_app(down)) as client:
        r = await client.get(f"/v1/scores/{vendor_id}", params={"period": "2039"}, headers=sup)
        assert r.status_code == 200, r.text
        offline = r.json()
        assert offline["vendor_name"] is None and offline["scheme"] == "support"
        assert (
            "project category unknown" in next(c for c in offline["components"] if c["code"] == "satisfaction")["note"]
        )
        report = await client.get("/v1/reports/years/2039", params={"format": "csv"}, headers=sup)
        rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
        mine = next(row for row in rows if len(row) > 3 and row[2] == vendor_id)  # below the provisional mark
        assert mine[1].startswith("(name unavailable: contracts-api unreachable)")
