"""Fixtures of the contracts-api tests: an in-process client, the demo seed, and a small factory."""

from __future__ import annotations

import itertools
import os
import random
import tempfile
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio

from contracts_api.seed import seed
from houqin_common.auth import Role
from houqin_common.credit_code import make as make_credit_code
from support import auth

# Documents of the tests go to a throw-away archive directory (read when the app is created).
os.environ.setdefault("HOUQIN_CONTRACTS_ARCHIVE_DIR", tempfile.mkdtemp(prefix="houqin-archive-"))

_codes = itertools.count(random.randrange(10**8, 9 * 10**8, 7919))


def unique_credit_code() -> str:
    return make_credit_code(next(_codes) * 13 + 1)


class Api:
    """Creates records through the real HTTP API, as the procurement office would."""

    def __init__(self, client: httpx.AsyncClient, make_token: Callable[..., str]) -> None:
        self.client = client
        self.make_token = make_token
        self.procurement = auth(make_token(Role.procurement, subject="officer-li"))
        self.supervisor = auth(make_token(Role.supervisor, subject="supervisor-wang"))
        self.reviewer = auth(make_token(Role.reviewer, subject="lawyer-zhao"))
        self.auditor = auth(make_token(Role.auditor, subject="auditor-chen"))

    @staticmethod
    def credit_code() -> str:
        """A valid credit code no other test uses."""
        return unique_credit_code()

    def vendor_headers(self, vendor_id: str) -> dict[str, str]:
        return auth(self.make_token(Role.vendor, vendor_id=vendor_id, subject=f"vendor-{vendor_id[:8]}"))

    async def vendor(self, name: str = "常州测试物业有限公司", **extra: Any) -> dict[str, Any]:
        r = await self.client.post(
            "/v1/vendors",
            json={"name": name, "credit_code": unique_credit_code(), **extra},
            headers=self.procurement,
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def veto(self, vendor_id: str, ground: str = "poor_credit") -> dict[str, Any]:
        r = await self.client.post(
            f"/v1/vendors/{vendor_id}/vetoes",
            json={"ground": ground, "evidence": "两次违约记录"},
            headers=self.supervisor,
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def contract(self, vendor_id: str, **extra: Any) -> httpx.Response:
        body = {
            "project_code": "cleaning",
            "vendor_id": vendor_id,
            "title": "保洁服务合同",
            "value": "1200000.00",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            **extra,
        }
        return await self.client.post("/v1/contracts", json=body, headers=self.procurement)

    async def move(self, contract_id: str, to: str, etag: str | None = None) -> httpx.Response:
        if etag is None:
            etag = (await self.client.get(f"/v1/contracts/{contract_id}", headers=self.procurement)).headers["ETag"]
        return await self.client.post(
            f"/v1/contracts/{contract_id}/transitions",
            json={"to": to},
            headers={**self.procurement, "If-Match": etag},
        )

    async def review(self, contract_id: str, kind: str, verdict: str = "approve", **extra: Any) -> httpx.Response:
        etag = (await self.client.get(f"/v1/contracts/{contract_id}", headers=self.procurement)).headers["ETag"]
        return await self.client.post(
            f"/v1/contracts/{contract_id}/reviews",
            json={"kind": kind, "verdict": verdict, "comment": "意见", **extra},
            headers={**self.reviewer, "If-Match": etag},
        )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def seeded(database_url: str, test_env: dict[str, str]) -> str:
    """The session database with the demo seed loaded (projects are needed by most tests)."""
    await seed(database_url)
    return database_url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def contracts(service_client: Callable[[str], Any], seeded: str) -> httpx.AsyncClient:
    client: httpx.AsyncClient = await service_client("contracts")
    return client


@pytest.fixture
def api(contracts: httpx.AsyncClient, make_token: Callable[..., str]) -> Api:
    return Api(contracts, make_token)
