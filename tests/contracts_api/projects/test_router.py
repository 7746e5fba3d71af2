from __future__ import annotations

import uuid

import pytest

from houqin_common.demo import PROJECT_CODES

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_twenty_demo_projects_are_seeded_with_labels(api) -> None:
    r = await api.client.get("/v1/projects?limit=500", headers=api.auditor)
    by_code = {p["code"]: p for p in r.json()["items"]}
    assert set(PROJECT_CODES) <= set(by_code)
    catering = by_code["catering"]
    assert catering["operation"] == "hybrid" and catering["labels_zh"]["operation"] == "混合兼管"
    assert catering["category"] == "major" and catering["labels_zh"]["funding"] == "花钱买服务"
    zh = (await api.client.get("/v1/projects/catering", headers={**api.auditor, "Accept-Language": "zh-CN"})).json()
    assert zh["labels"]["funding"] == "花钱买服务"
    en = (await api.client.get("/v1/projects/catering", headers={**api.auditor, "Accept-Language": "en"})).json()
    assert en["labels"]["funding"] == "purchased" and en["labels_zh"]["funding"] == "花钱买服务"
    assert by_code["car_wash"]["category"] == "micro" and by_code["bank"]["category"] == "standard"
    purchased = (await api.client.get("/v1/projects?funding=purchased&limit=500", headers=api.auditor)).json()
    assert {p["code"] for p in purchased["items"]} >= {"catering", "security", "cleaning"}
    assert all(p["funding"] == "purchased" for p in purchased["items"])


async def test_project_crud_and_delete_refused_once_used(api) -> None:
    code = f"advice_{uuid.uuid4().hex[:8]}"
    body = {
        "code": code,
        "name": "Advice day",
        "name_zh": "咨询日",
        "funding": "hosted",
        "operation": "invited",
        "service_type": "public_benefit",
        "annual_value": "0",
    }
    r = await api.client.post("/v1/projects", json=body, headers=api.procurement)
    assert r.status_code == 201 and r.json()["category"] == "standard"
    assert (await api.client.post("/v1/projects", json=body, headers=api.procurement)).status_code == 409
    r = await api.client.patch(f"/v1/projects/{code}", json={"service_type": "extended"}, headers=api.procurement)
    assert r.json()["service_type"] == "extended" and r.json()["labels_zh"]["service_type"] == "外延性"
    bad = await api.client.post(
        "/v1/projects", json={**body, "code": "X Y", "operation": "remote"}, headers=api.procurement
    )
    assert bad.status_code == 422 and len(bad.json()["invalid-params"]) == 2
    vendor = await api.vendor()
    assert (await api.contract(vendor["id"], project_code=code)).status_code == 201
    assert (await api.client.delete(f"/v1/projects/{code}", headers=api.procurement)).status_code == 409
    unused = f"tmp_{uuid.uuid4().hex[:8]}"
    await api.client.post("/v1/projects", json={**body, "code": unused}, headers=api.procurement)
    assert (await api.client.delete(f"/v1/projects/{unused}", headers=api.procurement)).status_code == 204
    assert (await api.client.get(f"/v1/projects/{unused}", headers=api.auditor)).status_code == 404


async def test_audit_log_lists_every_write_of_an_entity(api) -> None:
    vendor = await api.vendor()
    await api.veto(vendor["id"])
    r = await api.client.get(f"/v1/audit?entity_type=vendor&entity_id={vendor['id']}", headers=api.auditor)
    assert [(e["action"], e["actor"]) for e in r.json()["items"]] == [
        ("veto.record", "supervisor-wang"),
        ("vendor.create", "officer-li"),
    ]
    assert (await api.client.get("/v1/audit", headers=api.procurement)).status_code == 403
