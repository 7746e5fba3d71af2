from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="session")

PDF = b"%PDF-1.4\n" + "合同正文 第一条 服务内容".encode() * 200


async def upload(api, contract_id: str, content: bytes, name: str = "合同正本.pdf", media: str = "application/pdf"):
    return await api.client.post(
        f"/v1/contracts/{contract_id}/documents", files={"file": (name, content, media)}, headers=api.procurement
    )


async def contract_of_new_vendor(api) -> dict:
    vendor = await api.vendor()
    return dict((await api.contract(vendor["id"], project_code="print_shop", value="200000")).json())


async def test_upload_records_hash_size_type_and_versions(api) -> None:
    c = await contract_of_new_vendor(api)
    r = await upload(api, c["id"], PDF)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest() and doc["size"] == len(PDF)
    assert doc["media_type"] == "application/pdf" and doc["version"] == 1 and doc["uploaded_by"] == "officer-li"
    second = await upload(api, c["id"], PDF + b"\n%% amended")
    assert second.json()["version"] == 2
    other = await upload(api, c["id"], b"a,b\n1,2\n", name="报价单.csv", media="text/csv")
    assert other.json()["version"] == 1
    listed = (await api.client.get(f"/v1/contracts/{c['id']}/documents", headers=api.auditor)).json()["items"]
    assert [(d["filename"], d["version"]) for d in listed] == [
        ("合同正本.pdf", 1),
        ("合同正本.pdf", 2),
        ("报价单.csv", 1),
    ]
    history = (await api.client.get(f"/v1/contracts/{c['id']}/history", headers=api.auditor)).json()
    assert [h["action"] for h in history["items"]].count("document.upload") == 3
    newest = await api.client.get(
        f"/v1/contracts/{c['id']}/documents?filename=合同正本.pdf&sort=-uploaded_at&limit=1", headers=api.auditor
    )
    assert newest.json()["total"] == 2 and newest.json()["items"][0]["version"] == 2


async def test_download_returns_the_bytes_and_a_tampered_file_is_refused(api) -> None:
    c = await contract_of_new_vendor(api)
    content = PDF + os.urandom(16)
    doc = (await upload(api, c["id"], content)).json()
    url = f"/v1/contracts/{c['id']}/documents/{doc['id']}/content"
    mine = api.vendor_headers(c["vendor_id"])
    r = await api.client.get(url, headers=mine)
    assert r.status_code == 200 and r.content == content
    assert r.headers["digest"] == f"sha-256={doc['sha256']}" and r.headers["content-type"] == "application/pdf"
    stored = Path(os.environ["HOUQIN_CONTRACTS_ARCHIVE_DIR"]) / doc["sha256"][:2] / doc["sha256"]
    stored.write_bytes(content[:-1] + b"X")
    r = await api.client.get(url, headers=api.auditor)
    assert r.status_code == 409 and "fails its SHA-256 check" in r.json()["detail"]
    stranger = await api.vendor()
    r = await api.client.get(url, headers=api.vendor_headers(stranger["id"]))
    assert r.status_code == 404


async def test_empty_upload_and_unknown_contract_are_refused(api) -> None:
    c = await contract_of_new_vendor(api)
    assert (await upload(api, c["id"], b"")).status_code == 422
    assert (await upload(api, "00000000-0000-0000-0000-000000000000", b"x")).status_code == 404
    r = await api.client.post(
        f"/v1/contracts/{c['id']}/documents",
        files={"file": ("a.txt", b"x")},
        headers=api.vendor_headers(c["vendor_id"]),
    )
    assert r.status_code == 403


async def test_archive_search_by_vendor_project_year_and_status(api) -> None:
    c = await contract_of_new_vendor(api)
    doc = (await upload(api, c["id"], b"scan " + os.urandom(8), name="验收报告.pdf")).json()
    q = f"/v1/archive?vendor_id={c['vendor_id']}&project_code=print_shop&year=2027&status=draft"
    r = (await api.client.get(q, headers=api.auditor)).json()
    assert [e["id"] for e in r["items"]] == [doc["id"]] and r["items"][0]["contract_status"] == "draft"
    assert (await api.client.get(q.replace("year=2027", "year=2025"), headers=api.auditor)).json()["total"] == 0
    assert (await api.client.get(q.replace("status=draft", "status=active"), headers=api.auditor)).json()["total"] == 0
    found = (
        await api.client.get("/v1/archive?q=验收报告&limit=500", headers=api.vendor_headers(c["vendor_id"]))
    ).json()
    assert {e["vendor_id"] for e in found["items"]} == {c["vendor_id"]}


async def test_archive_search_q_finds_documents_by_contract_title_vendor_and_project_name(api) -> None:
    """`q` matches what people remember of a document, not only its file name: the file names here share
    nothing with the words searched, so each hit comes from the contract, the vendor or the project."""
    tag = os.urandom(4).hex()
    guard = await api.vendor(name=f"常州盾卫{tag}保安服务有限公司")
    security = (
        await api.contract(guard["id"], project_code="security", title=f"机关大院门岗{tag}服务合同", value="300000")
    ).json()
    sec_doc = (await upload(api, security["id"], b"scan " + os.urandom(8), name="scan-0001.pdf")).json()
    other = await contract_of_new_vendor(api)  # 文印 (print_shop), 保洁服务合同, 常州测试物业有限公司
    other_doc = (await upload(api, other["id"], b"scan " + os.urandom(8), name="scan-0002.pdf")).json()

    async def hits(q: str) -> set[str]:
        r = await api.client.get("/v1/archive", params={"q": q, "limit": 500}, headers=api.auditor)
        assert r.status_code == 200, r.text
        return {e["id"] for e in r.json()["items"]}

    assert sec_doc["id"] in await hits("安保")  # the project's Chinese name
    assert sec_doc["id"] in await hits("security guards")  # its English name, any case
    assert await hits(f"门岗{tag}") == {sec_doc["id"]}  # the contract's title
    assert await hits(f"盾卫{tag}") == {sec_doc["id"]}  # the vendor's registered name
    # positive control of the narrowing: the other document is found by its own project, not by 安保
    assert other_doc["id"] in await hits("文印") and other_doc["id"] not in await hits("安保")
    assert sec_doc["id"] not in await hits("文印")
    assert await hits(f"nothing-{tag}") == set()
