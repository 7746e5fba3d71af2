from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest

from contracts_api.main import create_app
from contracts_api.seed import _id as seed_id
from contracts_api.settings import Settings
from houqin_common import clock
from houqin_common.demo import vendor_for_project
from houqin_common.embedded import free_port
from support import asgi_client

pytestmark = pytest.mark.asyncio(loop_scope="session")


@asynccontextmanager
async def contracts_with_appraisal_at(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """contracts-api (in-process, same database) whose appraisal client points at ``url``."""
    async with asgi_client(create_app(Settings(appraisal_url=url, http_retries=1))) as client:
        yield client


async def open_procurement(api, **body) -> httpx.Response:
    return await api.client.post("/v1/procurements", json=body, headers=api.procurement)


async def test_micro_service_procurement_recommends_price_comparison(api) -> None:
    r = await open_procurement(api, project_code="laundry", estimated_value="45000.00")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["route"] == "price_comparison" and body["route_label_zh"] == "比价"
    assert "micro-service list" in body["reasons"][0] and body["ocid"].endswith(body["id"])


async def test_large_first_award_recommends_open_tender(api) -> None:
    r = await open_procurement(api, project_code="security", estimated_value="620000")
    assert r.json()["route"] == "open_tender" and r.json()["estimated_value"] == "620000.00"


async def test_recorded_reasons_read_in_the_reader_language_whoever_recorded_them(api) -> None:
    """A procurement recorded by a Chinese-speaking officer reads in English for a script that asks, and
    the other way round: the reasons are stored as msgids + parameters, not as the recorder's text."""
    zh = {**api.procurement, "Accept-Language": "zh-CN"}
    r = await api.client.post(
        "/v1/procurements", json={"project_code": "security", "estimated_value": "620000"}, headers=zh
    )
    assert r.status_code == 201, r.text
    recorded = r.json()["reasons"]
    assert recorded and "Estimated value" not in recorded[0] and "620,000.00" in recorded[0]
    en = await api.client.get(
        f"/v1/procurements/{r.json()['id']}", headers={**api.procurement, "Accept-Language": "en"}
    )
    assert en.json()["reasons"][0] == "Estimated value 620,000.00 CNY is at or above 500,000.00 CNY"
    again = await api.client.get(f"/v1/procurements/{r.json()['id']}", headers=zh)
    assert again.json()["reasons"] == recorded  # positive control: the same row, in Chinese


async def test_small_procurement_recommends_designated_tender(api) -> None:
    r = await open_procurement(api, project_code="bank", estimated_value="150000.50")
    assert r.json()["route"] == "designated_tender"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("-1", "must be at least 0"),
        ("abc", "must be a decimal number"),
        ("1.001", "two decimals"),
        ("NaN", "finite"),
        ("1e15", "less than 1000000000000"),
    ],
)
async def test_bad_amounts_are_422(api, value: str, why: str) -> None:
    r = await open_procurement(api, project_code="bank", estimated_value=value)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert why in r.json()["detail"]


async def test_unknown_project_is_422_and_reader_roles_cannot_open(api) -> None:
    r = await open_procurement(api, project_code="space_station", estimated_value="1")
    assert r.status_code == 422 and "unknown project space_station" in r.json()["detail"]
    r = await api.client.post(
        "/v1/procurements", json={"project_code": "bank", "estimated_value": "1"}, headers=api.auditor
    )
    assert r.status_code == 403


async def test_renewal_when_appraisal_is_down_is_503_and_records_nothing(api, seeded: str) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    async with contracts_with_appraisal_at(closed) as client:
        before = (await client.get("/v1/procurements?project_code=security&limit=1", headers=api.auditor)).json()
        r = await client.post(
            "/v1/procurements",
            json={
                "project_code": "security",
                "estimated_value": "2400000",
                "renewal": True,
                "predecessor_contract_id": seed_id("contract", "security", 2026),
            },
            headers=api.procurement,
        )
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "route could not be decided" in r.json()["detail"] and r.json()["dependency"] == "appraisal"
        preview = await client.get(
            "/v1/procurements/route?project_code=catering&value=1800000&renewal=true", headers=api.procurement
        )
        assert preview.status_code == 503
        after = (await client.get("/v1/procurements?project_code=security&limit=1", headers=api.auditor)).json()
        assert after["total"] == before["total"]
        # Routes that do not depend on an appraisal are still decided while appraisal is down.
        r = await client.post(
            "/v1/procurements", json={"project_code": "security", "estimated_value": "620000"}, headers=api.procurement
        )
        assert r.status_code == 201 and r.json()["route"] == "open_tender"


async def test_renewal_of_vetoed_incumbent_goes_to_open_tender_without_asking_appraisal(api) -> None:
    incumbent = await api.vendor()
    created = await api.contract(
        incumbent["id"], project_code="conference", value="650000", start_date="2024-01-01", end_date="2024-12-31"
    )
    assert created.status_code == 201
    await api.veto(incumbent["id"], "unfair_terms")
    closed = f"http://127.0.0.1:{free_port()}"
    async with contracts_with_appraisal_at(closed) as client:
        r = await client.post(
            "/v1/procurements",
            json={
                "project_code": "conference",
                "estimated_value": "650000",
                "renewal": True,
                "predecessor_contract_id": created.json()["id"],
            },
            headers=api.procurement,
        )
    assert r.status_code == 201, r.text
    assert r.json()["route"] == "open_tender" and "one-vote veto: unfair terms" in r.json()["reasons"][-1]
    assert r.json()["incumbent_vendor_id"] == incumbent["id"]


async def test_renewal_without_a_contract_to_renew_is_422(api) -> None:
    code = f"p{uuid.uuid4().hex[:10]}"
    r = await api.client.post(
        "/v1/projects",
        json={
            "code": code,
            "name": "Temp",
            "name_zh": "临时",
            "funding": "hosted",
            "operation": "invited",
            "service_type": "public_benefit",
            "annual_value": "800000",
        },
        headers=api.procurement,
    )
    assert r.status_code == 201 and r.json()["category"] == "major"
    r = await open_procurement(api, project_code=code, estimated_value="800000", renewal=True)
    assert r.status_code == 422 and "no contract to renew" in r.json()["detail"]
    # the same refusal in the office's language (the test process defaults to English)
    zh = await api.client.post(
        "/v1/procurements",
        json={"project_code": code, "estimated_value": "800000", "renewal": True},
        headers={**api.procurement, "Accept-Language": "zh-CN"},
    )
    assert zh.status_code == 422 and zh.json()["detail"] == f"{code} 续约：该项目没有可续的合同"


async def price_comparison(api) -> tuple[str, dict[str, dict]]:
    r = await open_procurement(api, project_code="car_wash", estimated_value="35000")
    pid = r.json()["id"]
    vendors = {k: await api.vendor(f"洗车{k}") for k in ("a", "b", "c", "vetoed", "late")}
    await api.veto(vendors["vetoed"]["id"])
    for key, amount in (("a", "33000"), ("vetoed", "20000"), ("b", "31000.50"), ("late", "31000.50")):
        q = await api.client.post(
            f"/v1/procurements/{pid}/quotes",
            json={"vendor_id": vendors[key]["id"], "amount": amount},
            headers=api.procurement,
        )
        assert q.status_code == 201, q.text
    return pid, vendors


async def test_price_comparison_needs_three_valid_quotes_then_lowest_eligible_wins(api) -> None:
    pid, vendors = await price_comparison(api)
    r = await api.client.get(f"/v1/procurements/{pid}/price-comparison", headers=api.auditor)
    assert r.json()["decided"] is True, r.json()
    assert r.json()["winner_vendor_id"] == vendors["b"]["id"] and r.json()["winning_amount"] == "31000.50"
    explanation = " | ".join(r.json()["explanation"])
    assert "disqualified: one-vote veto: poor credit" in explanation and "2 quotes tie" in explanation
    award = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"vendor_id": vendors["vetoed"]["id"], "start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 409 and "one-vote veto: poor credit" in award.json()["detail"]
    award = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 201, award.text
    contract = award.json()
    assert contract["vendor_id"] == vendors["b"]["id"] and contract["value"] == "31000.50"
    assert contract["status"] == "draft" and contract["expert_review_required"] is False
    again = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert again.status_code == 409


async def test_price_comparison_with_too_few_valid_quotes_cannot_be_awarded(api) -> None:
    r = await open_procurement(api, project_code="post_office", estimated_value="60000")
    pid = r.json()["id"]
    for name in ("甲", "乙"):
        v = await api.vendor(f"邮政{name}")
        await api.client.post(
            f"/v1/procurements/{pid}/quotes", json={"vendor_id": v["id"], "amount": "100"}, headers=api.procurement
        )
    r = await api.client.get(f"/v1/procurements/{pid}/price-comparison", headers=api.auditor)
    assert r.json()["decided"] is False and "at least 3" in r.json()["explanation"][-1]
    award = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 409 and "not decided" in award.json()["detail"]


async def test_tender_bids_scores_and_award_create_a_draft_needing_expert_review(api) -> None:
    r = await open_procurement(api, project_code="maintenance", estimated_value="1500000")
    pid = r.json()["id"]
    good, vetoed = await api.vendor("维保甲"), await api.vendor("维保乙")
    bids = {}
    for v, amount in ((good, "1450000"), (vetoed, "1300000")):
        b = await api.client.post(
            f"/v1/procurements/{pid}/bids", json={"vendor_id": v["id"], "amount": amount}, headers=api.procurement
        )
        assert b.status_code == 201
        bids[v["id"]] = b.json()["id"]
    quote = await api.client.post(
        f"/v1/procurements/{pid}/quotes", json={"vendor_id": good["id"], "amount": "1"}, headers=api.procurement
    )
    assert quote.status_code == 409, "quotes belong to price comparisons"
    for reviewer, s1, s2 in (("expert-1", 88, 93), ("expert-2", 86, 95)):
        headers = {"Authorization": "Bearer " + api.make_token("reviewer", subject=reviewer)}
        assert (
            await api.client.post(
                f"/v1/procurements/{pid}/bids/{bids[good['id']]}/scores", json={"score": s1}, headers=headers
            )
        ).status_code == 201
        ranking = await api.client.post(
            f"/v1/procurements/{pid}/bids/{bids[vetoed['id']]}/scores", json={"score": s2}, headers=headers
        )
    twice = await api.client.post(
        f"/v1/procurements/{pid}/bids/{bids[good['id']]}/scores", json={"score": 1}, headers=headers
    )
    assert twice.status_code == 409
    out_of_range = await api.client.post(
        f"/v1/procurements/{pid}/bids/{bids[good['id']]}/scores", json={"score": 101}, headers=api.reviewer
    )
    assert out_of_range.status_code == 422
    assert [b["vendor_id"] for b in ranking.json()] == [vetoed["id"], good["id"]]
    await api.veto(vetoed["id"], "violation_of_law")
    ranked = (await api.client.get(f"/v1/procurements/{pid}/bids", headers=api.auditor)).json()
    assert ranked[0]["vendor_id"] == good["id"] and ranked[1]["disqualification"]
    award = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"vendor_id": vetoed["id"], "start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 409 and "one-vote veto: violation of law" in award.json()["detail"]
    bad_dates = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"start_date": "2027-01-01", "end_date": "2026-12-31"},
        headers=api.procurement,
    )
    assert bad_dates.status_code == 422 and "end_date must not be before start_date" in bad_dates.json()["detail"]
    award = await api.client.post(
        f"/v1/procurements/{pid}/award",
        json={"start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 201
    assert award.json()["vendor_id"] == good["id"] and award.json()["value"] == "1450000.00"
    assert award.json()["expert_review_required"] is True and award.json()["route"] == "open_tender"
    assert award.headers["ETag"] == '"1"'
    procurement = (await api.client.get(f"/v1/procurements/{pid}", headers=api.auditor)).json()
    assert procurement["status"] == "awarded" and procurement["awarded_vendor_id"] == good["id"]


async def test_unknown_procurement_is_404(api) -> None:
    r = await api.client.get(f"/v1/procurements/{uuid.uuid4()}", headers=api.auditor)
    assert r.status_code == 404


async def test_seeded_incumbents_are_the_demo_vendors(api) -> None:
    r = await api.client.get("/v1/contracts?project_code=catering&year=2026", headers=api.auditor)
    assert vendor_for_project("catering").id in {c["vendor_id"] for c in r.json()["items"]}


async def test_a_renewal_below_the_threshold_names_the_incumbent_licence_that_lapses_before_the_new_term(
    api,
) -> None:
    incumbent = await api.vendor()
    end = clock.today() + timedelta(days=30)
    created = await api.contract(
        incumbent["id"],
        project_code="supermarket",
        value="300000",
        start_date=(end - timedelta(days=364)).isoformat(),
        end_date=end.isoformat(),
    )
    assert created.status_code == 201, created.text
    lapses = (clock.today() + timedelta(days=13)).isoformat()
    for number, valid_to in (("SP-1", lapses), ("SP-2", (end + timedelta(days=400)).isoformat())):
        q = await api.client.post(
            f"/v1/vendors/{incumbent['id']}/qualifications",
            json={
                "kind": "食品经营许可证",
                "number": number,
                "issuer": "常州市市场监督管理局",
                "valid_from": "2021-01-01",
                "valid_to": valid_to,
            },
            headers=api.procurement,
        )
        assert q.status_code == 201, q.text
    r = await api.client.post(
        "/v1/procurements",
        json={
            "project_code": "supermarket",
            "estimated_value": "300000",
            "renewal": True,
            "predecessor_contract_id": created.json()["id"],
        },
        headers=api.procurement,
    )
    assert r.status_code == 201, r.text
    assert r.json()["route"] == "designated_tender"
    start = (end + timedelta(days=1)).isoformat()
    lapsing = [why for why in r.json()["reasons"] if "before the new term starts" in why]
    # the licence valid beyond the new term's start is not named (positive control)
    assert lapsing == [f"食品经营许可证 no. SP-1 expires on {lapses}, before the new term starts on {start}"]
