"""Archive: `%` and `_` in `q` are literal, the content's media type is the one documented, and file I/O
runs off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from contracts_api.archive import service
from contracts_api.main import create_app

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _contract(api) -> dict:
    vendor = await api.vendor()
    return dict((await api.contract(vendor["id"], project_code="print_shop", value="200000")).json())


async def _upload(api, contract_id: str, name: str, content: bytes, media: str = "text/plain"):
    r = await api.client.post(
        f"/v1/contracts/{contract_id}/documents", files={"file": (name, content, media)}, headers=api.procurement
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_percent_and_underscore_in_q_match_only_themselves(api) -> None:
    c = await _contract(api)
    tag = uuid.uuid4().hex[:8]
    await _upload(api, c["id"], f"{tag}_100%.txt", b"a")
    await _upload(api, c["id"], f"{tag}X100Y.txt", b"b")

    async def names(q: str) -> set[str]:
        r = await api.client.get("/v1/archive", params={"q": q, "limit": 100}, headers=api.auditor)
        assert r.status_code == 200
        return {i["filename"] for i in r.json()["items"]}

    assert await names(f"{tag}_100%") == {f"{tag}_100%.txt"}
    assert await names(f"{tag}_") == {f"{tag}_100%.txt"}
    assert await names(tag) == {f"{tag}_100%.txt", f"{tag}X100Y.txt"}  # positive control: both exist
    assert await names(f"{tag}\\") == set()


async def test_content_media_type_is_the_recorded_one_as_documented(api) -> None:
    c = await _contract(api)
    doc = await _upload(api, c["id"], "说明.txt", "服务说明".encode(), media="text/plain")
    r = await api.client.get(f"/v1/contracts/{c['id']}/documents/{doc['id']}/content", headers=api.auditor)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-content-type-options"] == "nosniff"
    spec = create_app().openapi()
    content = spec["paths"]["/v1/contracts/{contract_id}/documents/{document_id}/content"]["get"]["responses"]["200"]
    assert list(content["content"]) == ["*/*"] and content["content"]["*/*"]["schema"]["format"] == "binary"


async def test_hashing_a_stored_file_lets_the_event_loop_run(tmp_path: Path) -> None:
    content = b"x" * (24 * service.CHUNK)
    sha = hashlib.sha256(content).hexdigest()
    (tmp_path / sha[:2]).mkdir()
    (tmp_path / sha[:2] / sha).write_bytes(content)
    document = SimpleNamespace(id="d", storage_key=f"{sha[:2]}/{sha}", sha256=sha)
    ticks = 0
    task = asyncio.ensure_future(service.verified_path(document, tmp_path))  # type: ignore[arg-type]
    while not task.done():
        ticks += 1
        await asyncio.sleep(0)
    assert await task == tmp_path / sha[:2] / sha
    # the loop kept running other work while the file was hashed (blocking code would give 1 tick)
    assert ticks > 1
    document.sha256 = "0" * 64
    with pytest.raises(service.IntegrityFailed):
        await service.verified_path(document, tmp_path)  # type: ignore[arg-type]
