"""Who may do what (issue: *Access*). A vendor asking for another vendor's record gets 404, not 403."""

from __future__ import annotations

import pytest

from houqin_common.auth import Role
from support import auth

pytestmark = pytest.mark.asyncio(loop_scope="session")

WRITE_VENDOR = {"name": "权限测试公司"}


@pytest.fixture
async def world(api) -> dict:
    mine, other = await api.vendor("本方公司"), await api.vendor("他方公司")
    c_mine = (await api.contract(mine["id"])).json()
    c_other = (await api.contract(other["id"])).json()
    return {"mine": mine, "other": other, "c_mine": c_mine, "c_other": c_other}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.procurement, 201),
        (Role.admin, 201),
        (Role.supervisor, 403),
        (Role.reviewer, 403),
        (Role.auditor, 403),
        (Role.vendor, 403),
        (Role.staff, 403),
    ],
)
async def test_only_procurement_registers_vendors(api, make_token, role: Role, expected: int) -> None:
    token = make_token(role, vendor_id="x" if role == Role.vendor else None)
    r = await api.client.post(
        "/v1/vendors", json={**WRITE_VENDOR, "credit_code": api.credit_code()}, headers=auth(token)
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.supervisor, 201), (Role.procurement, 403), (Role.reviewer, 403), (Role.auditor, 403)],
)
async def test_only_supervisor_records_vetoes(api, world, make_token, role: Role, expected: int) -> None:
    r = await api.client.post(
        f"/v1/vendors/{world['other']['id']}/vetoes",
        json={"ground": "unfair_terms", "evidence": "x"},
        headers=auth(make_token(role)),
    )
    assert r.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.reviewer, 201), (Role.procurement, 403), (Role.supervisor, 403), (Role.vendor, 403)]
)
async def test_only_reviewer_records_contract_reviews(api, world, make_token, role: Role, expected: int) -> None:
    cid = world["c_mine"]["id"]
    await api.move(cid, "legal_review")
    token = make_token(role, vendor_id=world["mine"]["id"] if role == Role.vendor else None)
    r = await api.client.post(
        f"/v1/contracts/{cid}/reviews",
        json={"kind": "legal", "verdict": "approve"},
        headers={**auth(token), "If-Match": '"2"'},
    )
    assert r.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.procurement, 200), (Role.reviewer, 403), (Role.auditor, 403), (Role.vendor, 403)]
)
async def test_only_procurement_moves_contracts(api, world, make_token, role: Role, expected: int) -> None:
    token = make_token(role, vendor_id=world["mine"]["id"] if role == Role.vendor else None)
    r = await api.client.post(
        f"/v1/contracts/{world['c_mine']['id']}/transitions",
        json={"to": "legal_review"},
        headers={**auth(token), "If-Match": '"1"'},
    )
    assert r.status_code == expected


async def test_vendor_reads_only_its_own_vendor_contracts_and_eligibility(api, world) -> None:
    me = api.vendor_headers(world["mine"]["id"])
    assert (await api.client.get(f"/v1/vendors/{world['mine']['id']}", headers=me)).status_code == 200
    assert (await api.client.get(f"/v1/contracts/{world['c_mine']['id']}", headers=me)).status_code == 200
    for path in (
        f"/v1/vendors/{world['other']['id']}",
        f"/v1/vendors/{world['other']['id']}/eligibility",
        f"/v1/vendors/{world['other']['id']}/vetoes",
        f"/v1/contracts/{world['c_other']['id']}",
        f"/v1/contracts/{world['c_other']['id']}/history",
        f"/v1/contracts/{world['c_other']['id']}/documents",
    ):
        r = await api.client.get(path, headers=me)
        assert r.status_code == 404, path
        assert "another" not in r.text and "forbidden" not in r.text.lower()
    listed = (await api.client.get("/v1/contracts?limit=500", headers=me)).json()
    assert {c["vendor_id"] for c in listed["items"]} == {world["mine"]["id"]}
    vendors = (await api.client.get("/v1/vendors", headers=me)).json()
    assert [v["id"] for v in vendors["items"]] == [world["mine"]["id"]]
    for path in ("/v1/procurements", "/v1/renewals", "/v1/ocds/releases"):
        assert (await api.client.get(path, headers=me)).status_code == 403, path


async def test_auditor_and_admin_read_everything_but_write_nothing(api, world, make_token) -> None:
    for role in (Role.auditor, Role.admin):
        headers = auth(make_token(role))
        for path in (f"/v1/contracts/{world['c_other']['id']}", "/v1/procurements", "/v1/ocds/records"):
            assert (await api.client.get(path, headers=headers)).status_code == 200, (role, path)
    r = await api.client.post(
        "/v1/procurements", json={"project_code": "bank", "estimated_value": "1"}, headers=api.auditor
    )
    assert r.status_code == 403


async def test_no_token_is_401_problem(api) -> None:
    r = await api.client.get("/v1/vendors")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
