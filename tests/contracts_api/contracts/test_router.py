from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from contracts_api.seed import _id as seed_id
from houqin_common import clock

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def new_contract(api, **extra) -> dict:
    vendor = await api.vendor()
    r = await api.contract(vendor["id"], **extra)
    assert r.status_code == 201, r.text
    assert r.headers["ETag"] == '"1"'
    return dict(r.json())


async def test_tendered_contract_goes_through_legal_and_expert_review_to_completion(api) -> None:
    start = clock.today()  # a contract is activated on or after its start date
    c = await new_contract(
        api,
        route="open_tender",
        start_date=start.isoformat(),
        end_date=(start + timedelta(days=364)).isoformat(),
    )
    assert c["expert_review_required"] is True and c["status_label_zh"] == "草稿"
    cid = c["id"]
    assert (await api.move(cid, "legal_review")).json()["status"] == "legal_review"
    r = await api.review(cid, "legal")
    assert r.status_code == 201 and r.json()["status"] == "expert_review"
    r = await api.review(cid, "expert")
    assert r.json()["status"] == "approved"
    for target in ("signed", "active", "completed"):
        r = await api.move(cid, target)
        assert r.status_code == 200 and r.json()["status"] == target
    history = (await api.client.get(f"/v1/contracts/{cid}/history", headers=api.auditor)).json()
    steps = [(h["from_status"], h["to_status"]) for h in history["items"]]
    assert steps == [
        (None, "draft"),
        ("draft", "legal_review"),
        ("legal_review", "expert_review"),
        ("expert_review", "approved"),
        ("approved", "signed"),
        ("signed", "active"),
        ("active", "completed"),
    ]
    assert history["items"][2]["actor"] == "lawyer-zhao" and history["items"][2]["comment"] == "意见"
    assert history["items"][4]["actor"] == "officer-li"
    reviews = (await api.client.get(f"/v1/contracts/{cid}/reviews", headers=api.auditor)).json()
    assert [(r["kind"], r["verdict"]) for r in reviews["items"]] == [("legal", "approve"), ("expert", "approve")]
    experts = (await api.client.get(f"/v1/contracts/{cid}/reviews?kind=expert", headers=api.auditor)).json()
    assert experts["total"] == 1 and experts["items"][0]["reviewer"] == "lawyer-zhao"


async def test_activating_before_the_start_date_needs_a_recorded_early_start(api) -> None:
    start = clock.today() + timedelta(days=25)
    c = await new_contract(
        api, route="price_comparison", start_date=start.isoformat(), end_date=(start + timedelta(days=364)).isoformat()
    )
    cid = c["id"]
    await api.move(cid, "legal_review")
    assert (await api.review(cid, "legal")).json()["status"] == "approved"
    assert (await api.move(cid, "signed")).status_code == 200
    too_early = await api.move(cid, "active")
    assert too_early.status_code == 409, too_early.text
    assert too_early.headers["content-type"].startswith("application/problem+json")
    assert f"the contract starts on {start.isoformat()}" in too_early.json()["detail"]
    assert too_early.json()["invalid-params"][0]["name"] == "early_start_justification"
    etag = (await api.client.get(f"/v1/contracts/{cid}", headers=api.procurement)).headers["ETag"]
    why = "春节保障需提前进场"
    early = await api.client.post(
        f"/v1/contracts/{cid}/transitions",
        json={"to": "active", "early_start_justification": why},
        headers={**api.procurement, "If-Match": etag},
    )
    assert early.status_code == 200, early.text
    assert early.json()["status"] == "active" and early.json()["early_start_justification"] == why
    history = (await api.client.get(f"/v1/contracts/{cid}/history", headers=api.auditor)).json()["items"]
    assert history[-1]["to_status"] == "active" and history[-1]["data"]["early_start"] == why
    not_yet = await api.move(cid, "completed")
    assert not_yet.status_code == 409 and "cannot be completed" in not_yet.json()["detail"]


async def test_non_tendered_contract_skips_expert_review(api) -> None:
    c = await new_contract(api, route="price_comparison")
    await api.move(c["id"], "legal_review")
    r = await api.review(c["id"], "legal")
    assert r.json()["status"] == "approved"


async def test_rejecting_review_sends_the_contract_back_to_draft(api) -> None:
    c = await new_contract(api, route="designated_tender")
    await api.move(c["id"], "legal_review")
    await api.review(c["id"], "legal")
    r = await api.review(c["id"], "expert", verdict="reject")
    assert r.status_code == 201 and r.json()["status"] == "draft"
    wrong_kind = await api.review(c["id"], "legal")
    assert wrong_kind.status_code == 409 and "not under review" in wrong_kind.json()["detail"]


async def test_illegal_transition_is_409_and_review_states_need_a_review(api) -> None:
    c = await new_contract(api)
    r = await api.move(c["id"], "signed")
    assert r.status_code == 409 and "cannot move a contract from draft to signed" in r.json()["detail"]
    await api.move(c["id"], "legal_review")
    r = await api.move(c["id"], "approved")
    assert r.status_code == 409 and "only by a review" in r.json()["detail"]
    r = await api.review(c["id"], "expert")
    assert r.status_code == 409 and "waits for a legal review" in r.json()["detail"]
    r = await api.client.post(
        f"/v1/contracts/{c['id']}/transitions", json={"to": "archived"}, headers={**api.procurement, "If-Match": '"1"'}
    )
    assert r.status_code == 422


async def test_if_match_is_required_and_a_stale_etag_is_412(api) -> None:
    c = await new_contract(api)
    url = f"/v1/contracts/{c['id']}"
    missing = await api.client.post(f"{url}/transitions", json={"to": "legal_review"}, headers=api.procurement)
    assert missing.status_code == 428 and missing.headers["content-type"].startswith("application/problem+json")
    patch = await api.client.patch(url, json={"title": "新标题"}, headers={**api.procurement, "If-Match": '"1"'})
    assert patch.status_code == 200 and patch.headers["ETag"] == '"2"' and patch.json()["title"] == "新标题"
    stale = await api.client.post(
        f"{url}/transitions", json={"to": "legal_review"}, headers={**api.procurement, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"2"'
    no_match_patch = await api.client.patch(url, json={"title": "x"}, headers=api.procurement)
    assert no_match_patch.status_code == 428
    read = await api.client.get(url, headers=api.auditor)
    assert read.headers["ETag"] == '"2"' and read.json()["status"] == "draft"
    ok = await api.client.post(
        f"{url}/transitions", json={"to": "legal_review"}, headers={**api.procurement, "If-Match": read.headers["ETag"]}
    )
    assert ok.status_code == 200 and ok.headers["ETag"] == '"3"'
    locked = await api.client.patch(url, json={"title": "y"}, headers={**api.procurement, "If-Match": '"3"'})
    assert locked.status_code == 409 and "only a draft" in locked.json()["detail"]


async def test_end_before_start_and_negative_value_are_422(api) -> None:
    vendor = await api.vendor()
    r = await api.contract(vendor["id"], start_date="2027-01-01", end_date="2026-12-31")
    assert r.status_code == 422 and "end_date must not be before start_date" in r.json()["detail"]
    r = await api.contract(vendor["id"], value="-100")
    assert r.status_code == 422 and r.json()["invalid-params"][0]["name"] == "body.value"
    c = await new_contract(api)
    r = await api.client.patch(
        f"/v1/contracts/{c['id']}", json={"end_date": "2026-01-01"}, headers={**api.procurement, "If-Match": '"1"'}
    )
    assert r.status_code == 422


async def test_unknown_ids_are_reported(api) -> None:
    r = await api.contract(str(uuid.uuid4()))
    assert r.status_code == 404
    vendor = await api.vendor()
    r = await api.contract(vendor["id"], project_code="nope")
    assert r.status_code == 422 and "unknown project" in r.json()["detail"]
    r = await api.contract(vendor["id"], procurement_id=str(uuid.uuid4()))
    assert r.status_code == 422 and "unknown procurement" in r.json()["detail"]
    r = await api.client.get(f"/v1/contracts/{uuid.uuid4()}/history", headers=api.auditor)
    assert r.status_code == 404
    r = await api.client.post(
        f"/v1/contracts/{uuid.uuid4()}/transitions",
        json={"to": "legal_review"},
        headers={**api.procurement, "If-Match": '"1"'},
    )
    assert r.status_code == 404


async def test_signing_for_a_vetoed_vendor_is_409_naming_the_ground(api) -> None:
    c = await new_contract(api)
    await api.move(c["id"], "legal_review")
    await api.review(c["id"], "legal")
    await api.veto(c["vendor_id"], "no_legal_capacity")
    r = await api.move(c["id"], "signed")
    assert r.status_code == 409 and "one-vote veto" in r.json()["detail"] and "no legal capacity" in r.json()["detail"]
    assert (
        "no legal capacity" in r.json()["reasons"][0] and "no_legal_capacity" not in r.json()["reasons"][0]
    )  # no machine prefix
    assert (await api.client.get(f"/v1/contracts/{c['id']}", headers=api.auditor)).json()["status"] == "approved"


async def test_renewal_links_its_predecessor_and_refuses_a_vetoed_vendor(api) -> None:
    old = await new_contract(api, start_date="2026-01-01", end_date="2026-12-31")
    renewal = await api.contract(old["vendor_id"], predecessor_id=old["id"], route="single_source")
    assert renewal.status_code == 201 and renewal.json()["predecessor_id"] == old["id"]
    overlapping = await api.contract(old["vendor_id"], predecessor_id=old["id"], start_date="2026-06-01")
    assert overlapping.status_code == 422 and "must start after its predecessor ends" in overlapping.json()["detail"]
    await api.veto(old["vendor_id"])
    refused = await api.contract(old["vendor_id"], predecessor_id=old["id"])
    assert refused.status_code == 409 and "cannot renew the contract" in refused.json()["detail"]


async def test_renewals_lists_contracts_ending_soon_with_next_route(api) -> None:
    vendor = await api.vendor()
    end = clock.today() + timedelta(days=30)
    r = await api.contract(
        vendor["id"],
        project_code="bookstore",
        value="50000",
        start_date=(end - timedelta(days=364)).isoformat(),
        end_date=end.isoformat(),
    )
    cid = r.json()["id"]
    await api.move(cid, "legal_review")
    await api.review(cid, "legal")
    await api.move(cid, "signed")
    listing = (await api.client.get("/v1/renewals?within_days=90&limit=500", headers=api.procurement)).json()
    mine = next(item for item in listing["items"] if item["contract"]["id"] == cid)
    assert mine["days_left"] == 30 and mine["recommended_route"] == "price_comparison"
    assert all(item["days_left"] <= 90 for item in listing["items"])
    # the demo 2026 contracts end on 2026-12-31: seen from 1 December 2026, whatever day the suite runs
    planned = await api.client.get("/v1/renewals?within_days=90&as_of=2026-12-01&limit=500", headers=api.procurement)
    demo = next(i for i in planned.json()["items"] if i["contract"]["id"] == seed_id("contract", "hairdresser", 2026))
    assert demo["days_left"] == 30
    narrow = (await api.client.get("/v1/renewals?within_days=10&limit=500", headers=api.procurement)).json()
    assert cid not in {item["contract"]["id"] for item in narrow["items"]}
    assert (await api.client.get("/v1/renewals?within_days=-1", headers=api.procurement)).status_code == 422


async def test_list_contracts_filters_by_vendor_status_and_year(api) -> None:
    c = await new_contract(api, start_date="2028-01-01", end_date="2028-12-31")
    r = await api.client.get(f"/v1/contracts?vendor_id={c['vendor_id']}&status=draft&year=2028", headers=api.auditor)
    assert [x["id"] for x in r.json()["items"]] == [c["id"]]
    r = await api.client.get(f"/v1/contracts?vendor_id={c['vendor_id']}&year=2027", headers=api.auditor)
    assert r.json()["total"] == 0
