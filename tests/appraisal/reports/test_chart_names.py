"""Names are data, never markup: vendors and service items named with matplotlib's math-text characters
(`$`, `\\`, `^`, `_`, `{}`) and CJK download in every report format, and the charts print them literally."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable

import httpx

from appraisal.main import create_app
from appraisal.reports.service import ReportFormat
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.credit_code import make as make_credit_code
from houqin_common.embedded import free_port
from support import TEST_SECRET, LiveServices, asgi_client, auth

#: each breaks math text differently: an empty group, a subscript/superscript with no base, an unknown
#: command, an unbalanced brace, an odd number of `$`
NAMES = [
    "常州$_$物业管理有限公司",
    "华东$^$保洁服务中心",
    "金陵$\\foo{$餐饮",
    "{安保}$ $_{x}^ 公司$",
    "100$ 与 $200 维修部",
    "反斜杠\\n\\$ 绿化",
]


async def test_every_report_format_answers_200_whatever_the_names_hold(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    tag = uuid.uuid4().hex[:6]
    contracts_url = live_services.start("contracts")
    vendor_ids: list[str] = []
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        for n, name in enumerate(NAMES[:3]):
            r = await contracts.post(
                "/v1/vendors",
                json={"name": f"{name}{tag}", "credit_code": make_credit_code(uuid.uuid4().int % 10**8 + n)},
                headers=auth(make_token(Role.procurement)),
            )
            assert r.status_code == 201, r.text
            vendor_ids.append(r.json()["id"])
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=contracts_url,
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    sup = auth(make_token(Role.supervisor))
    async with asgi_client(create_app(settings)) as client:
        world = await World(client, make_token).build(
            projects=3, items_per_project=len(NAMES), vendor_ids=vendor_ids, item_names=NAMES, period="2041H1"
        )
        for t in await world.tokens(2):
            assert (await world.answer(t, "good")).status_code == 201
        scores = await client.get("/v1/scores", params={"period": "2041"}, headers=sup)
        named = {s["vendor_id"]: s["vendor_name"] for s in scores.json()["items"]}
        # the names really reached the report (not a fallback label)
        assert {named[v] for v in vendor_ids} == {f"{n}{tag}" for n in NAMES[:3]}
        zh = {**sup, "Accept-Language": "zh-CN"}  # the items' Chinese names are the fuzzed ones
        for fmt in ReportFormat:
            for path in (f"/v1/reports/campaigns/{world.campaign_id}", "/v1/reports/years/2041"):
                for headers in (zh, sup):
                    r = await client.get(path, params={"format": fmt.value}, headers=headers)
                    assert r.status_code == 200, (path, fmt, r.text[:300])
                    assert r.content, (path, fmt)
                    if fmt == ReportFormat.svg:
                        assert ET.fromstring(r.content).tag.endswith("svg")
        csv = await client.get(f"/v1/reports/campaigns/{world.campaign_id}", params={"format": "csv"}, headers=zh)
        text = csv.content.decode("utf-8-sig")
        assert all(name in text for name in NAMES), "item names are written as given"
        assert all(f"{name}{tag}" in text for name in NAMES[:3]), "vendor names are written as given"
