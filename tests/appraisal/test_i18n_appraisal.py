"""appraisal's texts are zh-CN by default and English on request: problem details, score notes, award
reasons (stored as messages, rendered when read), report headers, the public feedback receipt."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from appraisal.messages import message, render
from appraisal.reports import builder
from appraisal.reports.builder import GradeRow, VendorLabel
from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.i18n import N_, use_locale
from houqin_common.schemas import VendorScore
from support import auth

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def no_locale_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOUQIN_LOCALE", raising=False)


async def test_problem_details_and_score_notes_follow_the_reader(
    service_client: Callable[..., Any], make_token: Callable[..., str], no_locale_env: None
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    ghost = str(uuid.uuid4())
    zh = await client.get(f"/v1/scores/{ghost}", params={"period": "2031"}, headers=sup)
    assert zh.status_code == 404 and zh.json()["detail"] == f"服务单位 {ghost} 在 2031 无考核数据"
    en = await client.get(f"/v1/scores/{ghost}", params={"period": "2031"}, headers={**sup, **EN})
    assert en.json()["detail"] == f"no appraisal data for vendor {ghost} in 2031"

    world = await World(client, make_token).build(projects=1, period="2031H1")
    vendor = world.vendors[world.projects[0]]
    for t in await world.tokens(3):
        assert (await world.answer(t, "excellent")).status_code == 201
    notes_zh = {
        c["code"]: c["note"]
        for c in (await client.get(f"/v1/scores/{vendor}", params={"period": "2031"}, headers=sup)).json()["components"]
    }
    notes_en = {
        c["code"]: c["note"]
        for c in (await client.get(f"/v1/scores/{vendor}", params={"period": "2031"}, headers={**sup, **EN})).json()[
            "components"
        ]
    }
    assert notes_zh["satisfaction"].startswith("有效评价 6 条") and "考核方案" in notes_zh["satisfaction"]
    assert notes_en["satisfaction"].startswith("6 graded answers")
    assert notes_zh["routine"] == "日常检查 0 次" and notes_en["routine"] == "0 routine inspections"
    assert notes_zh["complaints"] == "投诉 0 件，其中 0 件计入该单位扣分"
    # a component is read by its label in the answer's language; its code stays in `code`
    zh_names = {
        c["code"]: c["name"]
        for c in (await client.get(f"/v1/scores/{vendor}", params={"period": "2031"}, headers=sup)).json()["components"]
    }
    en_names = {
        c["code"]: c["name"]
        for c in (await client.get(f"/v1/scores/{vendor}", params={"period": "2031"}, headers={**sup, **EN})).json()[
            "components"
        ]
    }
    assert zh_names["satisfaction"] == "满意度测评" and zh_names["routine"] == "日常检查"
    assert en_names["satisfaction"] == "satisfaction survey" and en_names["routine"] == "routine inspections"


def test_award_reasons_are_stored_once_and_read_in_any_language() -> None:
    stored = message(N_("rank {rank} / total {total} below the award bars"), rank=9, total=71.5)
    with use_locale("zh_CN"):
        assert render(stored) == "排名第 9 名、总分 71.5，未达到评优条件"
    with use_locale("en"):
        assert render(stored) == "rank 9 / total 71.5 below the award bars"
        assert render("an old plain reason") == "an old plain reason"


@pytest.mark.parametrize(("locale", "sheet", "head"), [("zh_CN", "排名", "排名"), ("en", "Ranking", "rank")])
def test_report_headers_follow_the_locale(locale: str, sheet: str, head: str) -> None:
    score = VendorScore(vendor_id="v1", period="2026", total=90.0, complete=True, rank=1)
    labels = {"v1": VendorLabel("常州天厨餐饮有限公司", "食堂")}
    grades = [GradeRow("v1", "常州天厨餐饮有限公司", "食堂", {"excellent": 2}, 100.0)]
    with use_locale(locale):
        data = builder.year_xlsx("2026", [score], labels, grades, "note")
        csv_head = builder.ranking_csv([score], labels).decode("utf-8-sig").splitlines()[0]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == sheet and wb[sheet]["A3"].value == head
    assert csv_head.split(",")[0] == head
    grade_sheet = wb.worksheets[-1]
    heads = [c.value for c in grade_sheet[3]]
    assert ("优" in heads and "较好" in heads and "一般" in heads and "差" in heads) == (locale == "zh_CN")


async def test_feedback_receipt_is_chinese_by_default(service_client: Callable[..., Any], no_locale_env: None) -> None:
    client = await service_client("appraisal")
    body = {"kind": "suggestion", "category": "other", "description": "建议在东门增设访客指引牌"}
    zh = await client.post("/v1/feedback", json=body)
    assert zh.status_code == 201, zh.text
    assert zh.json()["message"].startswith("感谢您的反馈") and zh.json()["category_zh"] == "其他"
