"""Tender evaluation over HTTP: the procurement document's method validated against the route, expert
sheets, the Order 87 ranking, the winning reason and the exported score table."""

from __future__ import annotations

import csv
import io

import pytest

from houqin_common.auth import Role
from support import auth

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCHEME = {
    "method": "comprehensive",
    "category": "services",
    "components": [{"code": "price", "weight": "30"}, {"code": "technical", "weight": "70"}],
}


async def test_the_document_method_is_validated_against_the_route(api) -> None:
    micro = await api.client.post(
        "/v1/procurements",
        json={"project_code": "laundry", "estimated_value": "40000", "evaluation": SCHEME},
        headers=api.procurement,
    )
    assert micro.status_code == 422 and "not a tender" in micro.text
    goods = {
        "method": "comprehensive",
        "category": "goods",
        "components": [{"code": "price", "weight": "20"}, {"code": "technical", "weight": "80"}],
    }
    low = await api.client.post(
        "/v1/procurements",
        json={"project_code": "security", "estimated_value": "900000", "evaluation": goods},
        headers=api.procurement,
    )
    assert low.status_code == 422 and "below the minimum (30 %)" in low.text
    ok = await api.client.post(
        "/v1/procurements",
        json={"project_code": "security", "estimated_value": "900000", "evaluation": SCHEME},
        headers=api.procurement,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["evaluation_method"] == "comprehensive"
    assert [c["code"] for c in ok.json()["scoring_scheme"]] == ["price", "technical"]


async def test_three_bids_are_ranked_by_order_87_and_the_score_table_is_exported(api) -> None:
    p = (
        await api.client.post(
            "/v1/procurements",
            json={"project_code": "security", "estimated_value": "1300000", "evaluation": SCHEME},
            headers=api.procurement,
        )
    ).json()
    experts = [auth(api.make_token(Role.reviewer, subject=f"expert-{i}")) for i in (1, 2)]
    marks = {"1000000": (70, 74), "1250000": (90, 94), "1200000": (80, 81)}
    vendors: dict[str, str] = {}
    for amount, (m1, m2) in marks.items():
        v = await api.vendor(f"投标人{amount}")
        vendors[amount] = v["id"]
        bid = await api.client.post(
            f"/v1/procurements/{p['id']}/bids", json={"vendor_id": v["id"], "amount": amount}, headers=api.procurement
        )
        for headers, mark in zip(experts, (m1, m2), strict=True):
            r = await api.client.post(
                f"/v1/procurements/{p['id']}/bids/{bid.json()['id']}/scores",
                json={"components": {"technical": mark}},
                headers=headers,
            )
            assert r.status_code == 201, r.text
    wrong = await api.client.post(
        f"/v1/procurements/{p['id']}/bids/{bid.json()['id']}/scores",
        json={"components": {"price": 100}},
        headers=auth(api.make_token(Role.reviewer, subject="expert-3")),
    )
    assert wrong.status_code == 422  # price is computed, never scored by an expert
    report = (await api.client.get(f"/v1/procurements/{p['id']}/evaluation", headers=api.auditor)).json()
    assert report["method_label_zh"] == "综合评分法"
    rows = {b["amount"]: b for b in report["bids"]}
    assert rows["1000000.00"]["price_score"] == "100.00" and rows["1250000.00"]["price_score"] == "80.00"
    assert rows["1200000.00"]["price_score"] == "83.33"
    assert [b["total"] for b in report["bids"]] == ["88.40", "81.35", "80.40"]
    assert report["winner_vendor_id"] == vendors["1250000"] and "88.40" in report["winning_reason"]
    assert len(rows["1250000.00"]["sheets"]) == 2
    table = await api.client.get(f"/v1/procurements/{p['id']}/evaluation?format=csv", headers=api.auditor)
    assert table.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(table.text)))
    assert lines[0] == ["rank", "vendor_id", "amount", "reviewer", "technical", "compliant", "price_score", "total"]
    assert ["1", vendors["1250000"], "1250000.00", "mean", "92.00", "True", "80.00", "88.40"] in lines
    assert sum(1 for line in lines if line[3].startswith("expert-")) == 6
    award = await api.client.post(
        f"/v1/procurements/{p['id']}/award",
        json={"start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 201 and award.json()["vendor_id"] == vendors["1250000"]
    assert award.json()["value"] == "1250000.00"
