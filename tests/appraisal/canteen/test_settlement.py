"""A canteen month over HTTP: purchases and covers settle to totals recomputed here by hand; sign-off
locks the month (409) and a correction is a new version."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.db import create_engine
from support import TEST_SECRET, asgi_client, auth

PURCHASES = [
    # supplier, item, category, quantity, unit, unit price, day, accepted
    ("湖塘农副产品批发", "青菜", "vegetable", "120.5", "kg", "3.20", "2026-03-02", True),
    ("武进肉联厂", "猪肉", "meat_poultry", "50", "kg", "26.80", "2026-03-05", True),
    ("金坛粮油", "大米", "grain_oil", "200", "kg", "4.15", "2026-03-09", True),
    ("金坛粮油", "菜籽油", "grain_oil", "3", "桶", "118.33", "2026-03-09", True),
    ("鲜达冷链", "冷冻鸡腿", "meat_poultry", "60", "kg", "18.50", "2026-03-10", False),
]
COVERS = [
    # day, meal, tier, covers, takings
    ("2026-03-02", "lunch", "basic", 300, "1650.00"),
    ("2026-03-02", "lunch", "good", 200, "1500.00"),
    ("2026-03-02", "lunch", "choice", 50, "600.00"),
    ("2026-03-03", "breakfast", "basic", 100, "500.00"),
    ("2026-03-03", "dinner", "good", 80, "620.00"),
]
FEE = Decimal("1000.00")


def purchase(canteen: str, row: tuple[Any, ...]) -> dict[str, Any]:
    supplier, item, category, qty, unit, price, day, accepted = row
    body: dict[str, Any] = {
        "canteen": canteen,
        "supplier": supplier,
        "item": item,
        "category": category,
        "quantity": qty,
        "unit": unit,
        "unit_price": price,
        "purchased_on": day,
        "accepted": accepted,
        "checks": [{"check": "certificate", "passed": True}, {"check": "temperature", "passed": accepted}],
    }
    if not accepted:
        body["rejection_reason"] = "冷链温度不达标，整批拒收"
    return body


def cover(canteen: str, row: tuple[Any, ...]) -> dict[str, Any]:
    day, meal, tier, covers, takings = row
    return {"canteen": canteen, "served_on": day, "meal": meal, "tier": tier, "covers": covers, "takings": takings}


async def test_a_month_settles_to_totals_recomputed_by_hand_and_locks(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    office = auth(make_token(Role.office, subject="管理处-张会计"))
    canteen = f"c{uuid.uuid4().hex[:8]}"
    vendor_id = str(uuid.uuid4())
    for row in PURCHASES:
        r = await client.post("/v1/canteen/purchases", json=purchase(canteen, row), headers=office)
        assert r.status_code == 201, r.text
    rejected = r.json()
    assert rejected["accepted"] is False and rejected["rejection_reason"] == "冷链温度不达标，整批拒收"
    for row in COVERS:
        r = await client.post("/v1/canteen/covers", json=cover(canteen, row), headers=office)
        assert r.status_code == 201, r.text

    # the hand computation: accepted deliveries only, each line rounded to the fen
    amounts = [(Decimal(q) * Decimal(p)).quantize(Decimal("0.01")) for _s, _i, _c, q, _u, p, _d, ok in PURCHASES if ok]
    ingredients = sum(amounts, Decimal(0))
    assert ingredients == Decimal("385.60") + Decimal("1340.00") + Decimal("830.00") + Decimal("354.99")
    takings = sum((Decimal(t) for *_x, t in COVERS), Decimal(0))
    covers = sum(c for _d, _m, _t, c, _x in COVERS)
    total = ingredients + FEE

    draft = await client.post(
        "/v1/canteen/settlements",
        json={
            "canteen": canteen,
            "month": "2026-03",
            "catering_fee": str(FEE),
            "fee_source": "餐饮服务合同第五条 月服务费",
            "catering_vendor_id": vendor_id,
        },
        headers=office,
    )
    assert draft.status_code == 201, draft.text
    s = draft.json()
    assert s["status"] == "draft" and s["version"] == 1
    assert Decimal(s["ingredient_cost"]) == ingredients == Decimal("2910.59")
    assert Decimal(s["takings"]) == takings == Decimal("4870.00")
    assert s["covers"] == covers == 730
    assert Decimal(s["total_cost"]) == total
    assert Decimal(s["surplus"]) == takings - total == Decimal("959.41")
    assert Decimal(s["cost_per_cover"]) == (total / covers).quantize(Decimal("0.01")) == Decimal("5.36")
    assert Decimal(s["ingredient_cost_per_cover"]) == (ingredients / covers).quantize(Decimal("0.01"))
    assert Decimal(s["ingredient_cost_ratio"]) == (ingredients / takings).quantize(Decimal("0.0001"))
    assert s["rejected_deliveries"] == 1 and Decimal(s["rejected_amount"]) == Decimal("1110.00")
    assert Decimal(s["by_category"]["grain_oil"]) == Decimal("830.00") + Decimal("354.99")
    assert s["by_tier"]["basic"]["covers"] == 400 and Decimal(s["by_tier"]["basic"]["takings"]) == Decimal("2150.00")

    # a draft accepts more lines and is recomputed at sign-off
    late = ("湖塘农副产品批发", "青菜", "vegetable", "10", "kg", "3.00", "2026-03-31", True)
    assert (await client.post("/v1/canteen/purchases", json=purchase(canteen, late), headers=office)).status_code == 201
    signed = await client.post(f"/v1/canteen/settlements/{s['id']}/sign-off", headers=office)
    assert signed.status_code == 200, signed.text
    v1 = signed.json()
    assert v1["status"] == "signed_off" and v1["signed_off_by"] == "管理处-张会计"
    assert Decimal(v1["ingredient_cost"]) == ingredients + Decimal("30.00")
    assert Decimal(v1["surplus"]) == takings - total - Decimal("30.00")

    # the month is locked: purchases and covers refused (409, problem+json), the next month still open
    refused = await client.post("/v1/canteen/purchases", json=purchase(canteen, late), headers=office)
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    assert "2026-03" in refused.json()["detail"]
    april = (*late[:6], "2026-04-01", True)
    assert (
        await client.post("/v1/canteen/purchases", json=purchase(canteen, april), headers=office)
    ).status_code == 201
    more = cover(canteen, ("2026-03-30", "lunch", "basic", 10, "55.00"))
    assert (await client.post("/v1/canteen/covers", json=more, headers=office)).status_code == 409
    again = await client.post(
        "/v1/canteen/settlements",
        json={"canteen": canteen, "month": "2026-03", "catering_fee": "1", "fee_source": "x"},
        headers=office,
    )
    assert again.status_code == 409
    assert (await client.post(f"/v1/canteen/settlements/{s['id']}/sign-off", headers=office)).status_code == 409

    # a correction is a new signed-off version; the first stays as it was
    corrected = await client.post(
        f"/v1/canteen/settlements/{s['id']}/corrections",
        json={"reason": "供货商红字发票冲减猪肉货款", "ingredient_adjustment": "-100.00"},
        headers=office,
    )
    assert corrected.status_code == 201, corrected.text
    v2 = corrected.json()
    assert v2["version"] == 2 and v2["status"] == "signed_off" and v2["corrects_version"] == 1
    assert Decimal(v2["ingredient_cost"]) == Decimal(v1["ingredient_cost"]) - 100
    assert Decimal(v2["surplus"]) == Decimal(v1["surplus"]) + 100
    old = await client.get(f"/v1/canteen/settlements/{s['id']}", headers=office)
    assert old.json()["ingredient_cost"] == v1["ingredient_cost"] and old.json()["version"] == 1
    stale = await client.post(
        f"/v1/canteen/settlements/{s['id']}/corrections", json={"reason": "again"}, headers=office
    )
    assert stale.status_code == 409
    versions = await client.get("/v1/canteen/settlements", params={"canteen": canteen}, headers=office)
    assert [v["version"] for v in versions.json()["items"]] == [2, 1]

    # the catering vendor sees its own settlement lines, another vendor nothing
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    other = auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
    mine = await client.get("/v1/canteen/settlements", params={"canteen": canteen}, headers=vendor)
    assert [v["version"] for v in mine.json()["items"]] == [2, 1]
    assert (await client.get("/v1/canteen/settlements", params={"canteen": canteen}, headers=other)).json()[
        "items"
    ] == []
    assert (await client.get(f"/v1/canteen/settlements/{v2['id']}", headers=other)).status_code == 404
    assert (await client.get("/v1/canteen/purchases", params={"month": "2026-03"}, headers=vendor)).status_code == 403

    # the XLSX statement carries the same totals, in Chinese by default
    xlsx = await client.get(
        f"/v1/canteen/settlements/{v2['id']}/statement", headers={**vendor, "Accept-Language": "zh-CN"}
    )
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    cells = {str(r[0]): r[1] for r in ws.iter_rows(values_only=True) if r and r[0] is not None and len(r) > 1}
    assert Decimal(str(cells["食材成本"])) == Decimal(v2["ingredient_cost"])
    assert Decimal(str(cells["结余(负数为亏损)"])) == Decimal(v2["surplus"])
    assert cells["就餐人次"] == covers


async def test_bad_purchases_and_covers_are_refused_with_the_reason(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    office = auth(make_token(Role.office))
    canteen = f"c{uuid.uuid4().hex[:8]}"
    ok = purchase(canteen, PURCHASES[0])
    assert (await client.post("/v1/canteen/purchases", json=ok, headers=office)).status_code == 201

    negative = await client.post("/v1/canteen/purchases", json={**ok, "quantity": "-5"}, headers=office)
    assert negative.status_code == 422 and negative.headers["content-type"].startswith("application/problem+json")
    mismatch = await client.post("/v1/canteen/purchases", json={**ok, "unit": "箱"}, headers=office)
    assert mismatch.status_code == 422 and "unit mismatch" in mismatch.json()["detail"]
    assert "'kg'" in mismatch.json()["detail"]
    unknown_unit = await client.post("/v1/canteen/purchases", json={**ok, "item": "新品", "unit": "车"}, headers=office)
    assert unknown_unit.status_code == 422 and "'车'" in unknown_unit.json()["detail"]
    failed_but_accepted = {**ok, "checks": [{"check": "temperature", "passed": False}]}
    r = await client.post("/v1/canteen/purchases", json=failed_but_accepted, headers=office)
    assert r.status_code == 422 and "temperature" in r.json()["detail"]
    no_reason = {**ok, "accepted": False, "checks": []}
    r = await client.post("/v1/canteen/purchases", json=no_reason, headers=office)
    assert r.status_code == 422 and "reason" in r.json()["detail"]

    zh = await client.post(
        "/v1/canteen/purchases", json={**ok, "unit": "箱"}, headers={**office, "Accept-Language": "zh-CN"}
    )
    assert zh.status_code == 422 and "计量单位不一致" in zh.json()["detail"]

    too_cheap = cover(canteen, ("2026-03-02", "lunch", "good", 100, "500.00"))
    r = await client.post("/v1/canteen/covers", json=too_cheap, headers=office)
    assert r.status_code == 422 and "outside tier" in r.json()["detail"]
    unknown_tier = cover(canteen, ("2026-03-02", "lunch", "luxury", 10, "200.00"))
    r = await client.post("/v1/canteen/covers", json=unknown_tier, headers=office)
    assert r.status_code == 422 and "basic, good, choice" in r.json()["detail"]
    good = cover(canteen, ("2026-03-02", "lunch", "good", 100, "750.00"))
    assert (await client.post("/v1/canteen/covers", json=good, headers=office)).status_code == 201
    assert (await client.post("/v1/canteen/covers", json=good, headers=office)).status_code == 409

    sup = auth(make_token(Role.supervisor))
    assert (await client.post("/v1/canteen/purchases", json=ok, headers=sup)).status_code == 403
    listed = await client.get("/v1/canteen/purchases", params={"canteen": canteen, "month": "2026-03"}, headers=sup)
    assert listed.status_code == 200 and listed.json()["total"] == 1


async def test_price_tiers_are_shown_beside_the_canteen_survey(
    test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    # a canteen project of its own (the test database is shared), answered in a satisfaction campaign
    project = f"canteen_{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=test_env["HOUQIN_DATABASE_URL"], jwt_secret=TEST_SECRET, canteen_project=project)
    async with asgi_client(create_app(settings)) as client:
        world = await World(client, make_token).build(project_codes=[project], items_per_project=2)
        for token, grade in zip(await world.tokens(4), ("excellent", "good", "fair", "excellent"), strict=True):
            assert (await world.answer(token, grade)).status_code == 201
        office = auth(make_token(Role.office))
        canteen = f"c{uuid.uuid4().hex[:8]}"
        for row in COVERS:
            r = await client.post("/v1/canteen/covers", json=cover(canteen, row), headers=office)
            assert r.status_code == 201
        end = clock.today() + timedelta(days=30)
        r = await client.get(
            "/v1/canteen/overview",
            params={"canteen": canteen, "start": "2026-03-01", "end": end.isoformat()},
            headers=office,
        )
    assert r.status_code == 200, r.text
    body = r.json()
    tiers = {t["code"]: t for t in body["tiers"]}
    assert [t["code"] for t in body["tiers"]] == ["basic", "good", "choice"]
    assert tiers["basic"]["days_served"] == 2 and tiers["basic"]["days_offered"] == 2
    assert tiers["choice"]["days_offered"] == 1 and tiers["choice"]["availability"] == 0.5
    assert tiers["good"]["covers"] == 280 and Decimal(tiers["good"]["average_price"]) == Decimal("7.57")
    assert tiers["basic"]["label_zh"] == "5–6 元能吃饱"
    # 4 responses × 2 items: 4 excellent, 2 good, 2 fair; satisfied = (excellent + good) / graded
    assert body["survey_grades"] == {"excellent": 4, "good": 2, "fair": 2}
    assert body["satisfaction"] == 0.75 and body["survey_periods"] == ["2026H1"]


async def test_a_signed_off_settlement_is_locked_in_the_database(
    service_client: Callable[..., Any], make_token: Callable[..., str], test_env: dict[str, str]
) -> None:
    client = await service_client("appraisal")
    office = auth(make_token(Role.office))
    canteen = f"c{uuid.uuid4().hex[:8]}"
    body = {"canteen": canteen, "month": "2026-05", "catering_fee": "10", "fee_source": "合同"}
    draft = (await client.post("/v1/canteen/settlements", json=body, headers=office)).json()
    engine = create_engine(test_env["HOUQIN_DATABASE_URL"], pool_size=1)
    update = text("UPDATE appraisal.canteen_settlement SET catering_fee = 0 WHERE id = :id")
    try:
        # a draft may still be recomputed
        async with engine.begin() as conn:
            assert (await conn.execute(update, {"id": draft["id"]})).rowcount == 1
        assert (await client.post(f"/v1/canteen/settlements/{draft['id']}/sign-off", headers=office)).status_code == 200
        with pytest.raises(DBAPIError, match="signed-off settlement"):
            async with engine.begin() as conn:
                await conn.execute(update, {"id": draft["id"]})
        with pytest.raises(DBAPIError, match="signed-off settlement"):
            async with engine.begin() as conn:
                await conn.execute(text("DELETE FROM appraisal.canteen_settlement WHERE id = :id"), {"id": draft["id"]})
    finally:
        await engine.dispose()
