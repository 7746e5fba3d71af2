from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from houqin_common import clock
from houqin_common.credit_code import make as make_credit_code
from houqin_common.db import libpq_url
from houqin_common.demo import VENDORS

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_create_vendor_with_valid_code_then_read_it(api) -> None:
    vendor = await api.vendor("常州新洁保洁有限公司", contact_name="李经理")
    r = await api.client.get(f"/v1/vendors/{vendor['id']}", headers=api.auditor)
    assert r.status_code == 200
    assert r.json()["name"] == "常州新洁保洁有限公司" and r.json()["legal_status"] == "registered"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91320400123456789", "must be 18 characters"),
        ("91320400MA1XXXXXXI", "not allowed"),
        ("91ABCDEF1234567890", "region code"),
    ],
)
async def test_invalid_credit_code_is_refused_with_the_reason(api, code: str, why: str) -> None:
    r = await api.client.post("/v1/vendors", json={"name": "x", "credit_code": code}, headers=api.procurement)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert why in r.json()["detail"]
    assert r.json()["invalid-params"][0]["name"] == "body.credit_code"


async def test_wrong_check_character_names_the_expected_one(api) -> None:
    good = make_credit_code(424242)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = await api.client.post("/v1/vendors", json={"name": "x", "credit_code": bad}, headers=api.procurement)
    assert r.status_code == 422
    assert f"GB 32100-2015 gives {good[17]!r}" in r.json()["detail"]


async def test_duplicate_credit_code_is_409(api) -> None:
    vendor = await api.vendor()
    r = await api.client.post(
        "/v1/vendors", json={"name": "another", "credit_code": vendor["credit_code"]}, headers=api.procurement
    )
    assert r.status_code == 409 and vendor["credit_code"] in r.json()["detail"]


async def test_unknown_vendor_is_404_problem(api) -> None:
    r = await api.client.get("/v1/vendors/00000000-0000-0000-0000-000000000000/eligibility", headers=api.auditor)
    assert r.status_code == 404 and r.json()["status"] == 404


async def test_veto_makes_vendor_ineligible_naming_the_ground_and_lifting_restores(api) -> None:
    vendor = await api.vendor()
    veto = await api.veto(vendor["id"], "violation_of_law")
    assert veto["active"] and veto["ground_label_zh"] == "违反国家法律法规或政策"
    r = await api.client.get(f"/v1/vendors/{vendor['id']}/eligibility", headers=api.procurement)
    assert r.json()["eligible"] is False
    assert r.json()["reasons"][0].startswith("one-vote veto: violation of law")

    lift = await api.client.post(
        f"/v1/vendors/{vendor['id']}/vetoes/{veto['id']}/lift",
        json={"reason": "行政处罚已撤销"},
        headers=api.supervisor,
    )
    assert lift.status_code == 200 and lift.json()["active"] is False
    assert lift.json()["lift_reason"] == "行政处罚已撤销" and lift.json()["lifted_by"] == "supervisor-wang"
    again = await api.client.post(
        f"/v1/vendors/{vendor['id']}/vetoes/{veto['id']}/lift", json={"reason": "x"}, headers=api.supervisor
    )
    assert again.status_code == 409
    r = await api.client.get(f"/v1/vendors/{vendor['id']}/eligibility", headers=api.procurement)
    assert r.json() == {"vendor_id": vendor["id"], "vendor_name": vendor["name"], "eligible": True, "reasons": []}
    history = await api.client.get(f"/v1/vendors/{vendor['id']}/vetoes", headers=api.auditor)
    assert history.json()["total"] == 1, "a lifted veto stays on record"


async def test_veto_with_unknown_ground_is_422_and_procurement_cannot_record_vetoes(api) -> None:
    vendor = await api.vendor()
    r = await api.client.post(
        f"/v1/vendors/{vendor['id']}/vetoes", json={"ground": "bad_mood", "evidence": "x"}, headers=api.supervisor
    )
    assert r.status_code == 422
    r = await api.client.post(
        f"/v1/vendors/{vendor['id']}/vetoes", json={"ground": "poor_credit", "evidence": "x"}, headers=api.procurement
    )
    assert r.status_code == 403


async def test_vetoes_cannot_be_deleted_and_the_audit_log_cannot_be_rewritten(api, seeded: str) -> None:
    vendor = await api.vendor()
    await api.veto(vendor["id"])
    conn = await asyncpg.connect(libpq_url(seeded))
    try:
        with pytest.raises(asyncpg.RaiseError, match=r"DELETE on contracts\.veto is not allowed"):
            await conn.execute("DELETE FROM contracts.veto WHERE vendor_id = $1", vendor["id"])
        with pytest.raises(asyncpg.RaiseError, match=r"UPDATE on contracts\.audit_entry"):
            await conn.execute("UPDATE contracts.audit_entry SET actor = 'x' WHERE entity_id = $1", vendor["id"])
        actions = await conn.fetch("SELECT action FROM contracts.audit_entry WHERE entity_id = $1", vendor["id"])
    finally:
        await conn.close()
    assert {r["action"] for r in actions} == {"vendor.create", "veto.record"}


async def test_expired_mandatory_qualification_makes_vendor_ineligible(api) -> None:
    vendor = await api.vendor()
    r = await api.client.post(
        f"/v1/vendors/{vendor['id']}/qualifications",
        json={
            "kind": "保安服务许可证",
            "number": "BA-001",
            "issuer": "江苏省公安厅",
            "valid_from": "2020-01-01",
            "valid_to": (clock.today() - timedelta(days=1)).isoformat(),
        },
        headers=api.procurement,
    )
    assert r.status_code == 201
    verdict = (await api.client.get(f"/v1/vendors/{vendor['id']}/eligibility", headers=api.auditor)).json()
    assert verdict["eligible"] is False and "保安服务许可证 no. BA-001 expired" in verdict["reasons"][0]
    listed = await api.client.get(f"/v1/vendors/{vendor['id']}/qualifications?mandatory=true", headers=api.auditor)
    assert [q["number"] for q in listed.json()["items"]] == ["BA-001"]


async def test_qualification_ending_before_it_starts_is_422(api) -> None:
    vendor = await api.vendor()
    r = await api.client.post(
        f"/v1/vendors/{vendor['id']}/qualifications",
        json={"kind": "k", "number": "n", "issuer": "i", "valid_from": "2026-01-01", "valid_to": "2025-01-01"},
        headers=api.procurement,
    )
    assert r.status_code == 422 and "valid_to must not be before valid_from" in r.json()["detail"]


async def test_expiring_qualifications_query_finds_those_within_n_days(api) -> None:
    vendor = await api.vendor()
    soon = (clock.today() + timedelta(days=10)).isoformat()
    later = (clock.today() + timedelta(days=200)).isoformat()
    for number, valid_to in (("SOON-1", soon), ("LATER-1", later)):
        r = await api.client.post(
            f"/v1/vendors/{vendor['id']}/qualifications",
            json={
                "kind": "食品经营许可证",
                "number": number,
                "issuer": "常州市市场监管局",
                "valid_from": "2024-01-01",
                "valid_to": valid_to,
            },
            headers=api.procurement,
        )
        assert r.status_code == 201
    mine = api.vendor_headers(vendor["id"])
    r = await api.client.get("/v1/vendors/qualifications/expiring?within_days=30&limit=500", headers=mine)
    assert [q["number"] for q in r.json()["items"]] == ["SOON-1"]


async def test_credit_records_and_due_diligence_are_recorded_and_listed(api) -> None:
    vendor = await api.vendor()
    r = await api.client.post(
        f"/v1/vendors/{vendor['id']}/credit-records",
        json={"kind": "breach", "occurred_date": "2026-03-01", "source": "合同履约检查", "description": "延迟交付"},
        headers=api.supervisor,
    )
    assert r.status_code == 201 and r.json()["recorded_by"] == "supervisor-wang"
    review = {
        "period": "2026",
        "legal_status": "satisfactory",
        "capacity": "satisfactory",
        "credit": "concern",
        "service_quality": "satisfactory",
        "price": "satisfactory",
        "verdict": "conditional",
        "notes": "有违约记录",
    }
    assert (
        await api.client.post(f"/v1/vendors/{vendor['id']}/due-diligence", json=review, headers=api.procurement)
    ).status_code == 403
    r = await api.client.post(f"/v1/vendors/{vendor['id']}/due-diligence", json=review, headers=api.supervisor)
    assert r.status_code == 201 and r.json()["reviewer"] == "supervisor-wang"
    bad = await api.client.post(
        f"/v1/vendors/{vendor['id']}/due-diligence", json={**review, "period": "26"}, headers=api.supervisor
    )
    assert bad.status_code == 422
    listed = await api.client.get(f"/v1/vendors/{vendor['id']}/credit-records?kind=breach", headers=api.auditor)
    assert listed.json()["total"] == 1
    listed = await api.client.get(f"/v1/vendors/{vendor['id']}/due-diligence?period=2026", headers=api.auditor)
    assert listed.json()["items"][0]["verdict"] == "conditional"


async def test_demo_vendors_are_seeded_with_their_ids(api) -> None:
    r = await api.client.get(f"/v1/vendors/{VENDORS[0].id}", headers=api.auditor)
    assert r.status_code == 200 and r.json()["credit_code"] == VENDORS[0].credit_code
    vetoed = await api.client.get(f"/v1/vendors/{VENDORS[-1].id}/eligibility", headers=api.auditor)
    assert vetoed.json()["eligible"] is False


async def test_list_vendors_filters_and_rejects_unknown_sort(api) -> None:
    vendor = await api.vendor("常州独一无二筛选测试公司")
    await api.veto(vendor["id"])
    r = await api.client.get("/v1/vendors?q=独一无二筛选&vetoed=true", headers=api.auditor)
    assert [v["id"] for v in r.json()["items"]] == [vendor["id"]]
    r = await api.client.get("/v1/vendors?q=独一无二筛选&vetoed=false", headers=api.auditor)
    assert r.json()["total"] == 0
    r = await api.client.get("/v1/vendors?sort=-password", headers=api.auditor)
    assert r.status_code == 422


async def test_import_is_all_or_nothing_with_row_errors(api) -> None:
    good1, good2 = api.credit_code(), api.credit_code()
    rows = [
        {"name": "导入一号公司", "credit_code": good1},
        {"name": "导入二号公司", "credit_code": "913204001234567890"},
        {"name": "", "credit_code": good2},
        {"name": "导入重复公司", "credit_code": good1},
    ]
    r = await api.client.post("/v1/vendors/import", json=rows, headers=api.procurement)
    assert r.status_code == 422
    errors = {e["row"]: e["errors"] for e in r.json()["errors"]}
    assert set(errors) == {2, 3, 4}
    assert "check character" in errors[2][0] and "duplicates row 1" in errors[4][0]
    r = await api.client.get(f"/v1/vendors?q={good1}", headers=api.auditor)
    assert r.json()["total"] == 0, "nothing is half-imported"
    r = await api.client.post(
        "/v1/vendors/import", json=[rows[0], {**rows[2], "name": "导入三号公司"}], headers=api.procurement
    )
    assert r.status_code == 200 and r.json() == {"imported": 2, "errors": []}


async def test_import_ignores_foreign_columns_and_refuses_duplicate_ids(api) -> None:
    import uuid

    same = str(uuid.uuid4())
    rows = [
        {"name": "外列甲", "credit_code": api.credit_code(), "id": same, "备注": "老供应商"},
        {"name": "外列乙", "credit_code": api.credit_code(), "id": same},
    ]
    r = await api.client.post("/v1/vendors/import", json=rows, headers=api.procurement)
    assert r.status_code == 422 and r.json()["errors"] == [{"row": 2, "errors": ["id: duplicates row 1"]}]
    r = await api.client.post("/v1/vendors/import", json=rows[:1], headers=api.procurement)
    assert r.status_code == 200 and r.json()["imported"] == 1
    assert (await api.client.get(f"/v1/vendors/{same}", headers=api.auditor)).json()["name"] == "外列甲"


async def test_patching_legal_status_to_revoked_makes_the_vendor_ineligible(api) -> None:
    vendor = await api.vendor()
    r = await api.client.patch(
        f"/v1/vendors/{vendor['id']}", json={"legal_status": "revoked", "name": None}, headers=api.procurement
    )
    assert r.status_code == 200 and r.json()["legal_status"] == "revoked" and r.json()["name"] == vendor["name"]
    verdict = (await api.client.get(f"/v1/vendors/{vendor['id']}/eligibility", headers=api.auditor)).json()
    assert verdict["eligible"] is False and "吊销" in verdict["reasons"][0]


async def test_eligibility_on_a_past_day_judges_the_legal_status_recorded_by_then(api) -> None:
    """A decision about a past period must not use today's status: the history is kept by a trigger."""
    vendor = await api.vendor()
    r = await api.client.patch(f"/v1/vendors/{vendor['id']}", json={"legal_status": "revoked"}, headers=api.procurement)
    assert r.status_code == 200
    # the office day of the revocation, on the server's clock (the one that stamped the history)
    revoked_on = datetime.fromisoformat(r.json()["updated_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()

    async def verdict(as_of: date) -> dict[str, Any]:
        url = f"/v1/vendors/{vendor['id']}/eligibility"
        got = await api.client.get(url, params={"as_of": as_of.isoformat()}, headers=api.auditor)
        assert got.status_code == 200, got.text
        return dict(got.json())

    on_the_day = await verdict(revoked_on)
    assert on_the_day["eligible"] is False and "吊销" in on_the_day["reasons"][0]  # positive control
    before = await verdict(revoked_on - timedelta(days=1))
    assert before["eligible"] is True and before["reasons"] == []


async def test_hot_reads_answer_what_the_write_answered_and_each_request_its_own_values(api) -> None:
    """GET /v1/vendors/{id} and /v1/vendors run compiled statements on the read pool: the body is the
    VendorRead the ORM path returned at creation, and a cached statement shape serves other values."""
    tag = uuid.uuid4().hex[:6]
    first = await api.vendor(f"常州热路径Alpha{tag}有限公司", contact_name="甲", legal_status="registered")
    second = await api.vendor(f"常州热路径Beta{tag}有限公司", legal_status="revoked")
    got = await api.client.get(f"/v1/vendors/{first['id']}", headers=api.auditor)
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"
    assert got.json() == first
    for name, vendor in (("Alpha", first), ("Beta", second)):  # same shape (q), different values
        r = await api.client.get("/v1/vendors", params={"q": f"热路径{name}{tag}"}, headers=api.auditor)
        assert r.json() == {"items": [vendor], "total": 1, "limit": 50, "offset": 0}
    both = {"q": f"{tag}有限公司", "sort": "-name", "limit": 1, "offset": 1}
    r = await api.client.get("/v1/vendors", params=both, headers=api.auditor)
    assert r.json()["total"] == 2 and [v["id"] for v in r.json()["items"]] == [first["id"]]  # Beta, then Alpha
    revoked = await api.client.get("/v1/vendors", params={"q": tag, "legal_status": "revoked"}, headers=api.auditor)
    assert [v["id"] for v in revoked.json()["items"]] == [second["id"]]
    # a vendor token: its own vendor only, whatever the filter asks
    own = api.vendor_headers(first["id"])
    assert (await api.client.get(f"/v1/vendors/{first['id']}", headers=own)).status_code == 200
    assert (await api.client.get(f"/v1/vendors/{second['id']}", headers=own)).status_code == 404
    scoped = await api.client.get("/v1/vendors", params={"q": tag}, headers=own)
    assert [v["id"] for v in scoped.json()["items"]] == [first["id"]]
