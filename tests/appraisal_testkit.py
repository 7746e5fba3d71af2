"""Builders of appraisal test data through the real API (unique codes: the test database is shared)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from houqin_common import clock
from houqin_common.auth import Role
from support import auth


def uid() -> str:
    return uuid.uuid4().hex[:10]


class World:
    """One vendor per project, items, a template and an open campaign, all new."""

    def __init__(self, client: httpx.AsyncClient, make_token: Callable[..., str]) -> None:
        self.client = client
        self.make_token = make_token
        self.sup = auth(make_token(Role.supervisor))
        self.projects: list[str] = []
        self.vendors: dict[str, str] = {}
        self.items: dict[str, list[str]] = {}
        self.template_id = ""
        self.campaign_id = ""

    async def build(
        self,
        *,
        projects: int = 2,
        items_per_project: int = 2,
        period: str = "2026H1",
        open_now: bool = True,
        start_date: str = "2020-01-01",
        project_codes: list[str] | None = None,
        vendor_ids: list[str] | None = None,
        item_names: list[str] | None = None,
    ) -> World:
        tag = uid()
        self.projects = project_codes or [f"p{tag}{i}" for i in range(projects)]
        codes: list[str] = []
        for n, p in enumerate(self.projects):
            vendor = vendor_ids[n] if vendor_ids else str(uuid.uuid4())
            self.vendors[p] = vendor
            r = await self.client.post(
                "/v1/assignments",
                json={"vendor_id": vendor, "project_code": p, "start_date": start_date},
                headers=self.sup,
            )
            assert r.status_code == 201, r.text
            self.items[p] = []
            for j in range(items_per_project):
                code = f"{p}.{tag}.{j}"
                r = await self.client.post(
                    "/v1/service-items",
                    json={
                        "code": code,
                        "project_code": p,
                        "name": f"item {j}",
                        "name_zh": item_names[j] if item_names else f"项目{j}",
                    },
                    headers=self.sup,
                )
                assert r.status_code == 201, r.text
                self.items[p].append(code)
                codes.append(code)
        r = await self.client.post(
            "/v1/survey-templates", json={"name": f"form {tag}", "item_codes": codes}, headers=self.sup
        )
        assert r.status_code == 201, r.text
        self.template_id = r.json()["id"]
        now = clock.now()
        if open_now:
            opens, closes = now - timedelta(days=1), now + timedelta(days=10)
        else:
            opens, closes = now - timedelta(days=20), now - timedelta(days=10)
        r = await self.client.post(
            "/v1/campaigns",
            json={
                "period": period,
                "title": f"测评 {tag}",
                "template_id": self.template_id,
                "opens_at": opens.isoformat(),
                "closes_at": closes.isoformat(),
            },
            headers=self.sup,
        )
        assert r.status_code == 201, r.text
        self.campaign_id = r.json()["id"]
        return self

    async def tokens(self, n: int, department: str | None = None) -> list[str]:
        r = await self.client.post(
            f"/v1/campaigns/{self.campaign_id}/invitations",
            json={"count": n, "department": department},
            headers=self.sup,
        )
        assert r.status_code == 201, r.text
        tokens: list[str] = r.json()["tokens"]
        return tokens

    def answers(self, grade: str | dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for p, codes in self.items.items():
            for c in codes:
                g = grade if isinstance(grade, str) else grade.get(p, "n/a")
                out.append({"item_code": c, "grade": g})
        return out

    async def answer(self, token: str, grade: str | dict[str, str], **extra: Any) -> httpx.Response:
        return await self.client.post(
            f"/v1/campaigns/{self.campaign_id}/responses",
            json={"answers": self.answers(grade), **extra},
            headers={"X-Invitation-Token": token},
        )


async def contract_in_new_project(
    contracts: httpx.AsyncClient, headers: dict[str, str], *, name_zh: str, title: str, year: int
) -> tuple[str, str, dict[str, Any]]:
    """A new vendor, a new support project (600,000 CNY) and a draft contract for ``year`` in contracts-api:
    what appraisal's assignment sync reads. Returns (vendor id, project code, contract)."""
    from houqin_common.credit_code import make as make_credit_code

    vendor = await contracts.post(
        "/v1/vendors",
        json={"name": f"同步测试{uuid.uuid4().hex[:6]}", "credit_code": make_credit_code(uuid.uuid4().int % 10**8)},
        headers=headers,
    )
    assert vendor.status_code == 201, vendor.text
    project = f"sync_{uuid.uuid4().hex[:8]}"
    created = await contracts.post(
        "/v1/projects",
        json={
            "code": project,
            "name": f"Annex {project}",
            "name_zh": name_zh,
            "funding": "purchased",
            "operation": "managed",
            "service_type": "support",
            "annual_value": "600000.00",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    contract = await contracts.post(
        "/v1/contracts",
        json={
            "project_code": project,
            "vendor_id": vendor.json()["id"],
            "title": title,
            "value": "600000.00",
            "start_date": f"{year}-01-01",
            "end_date": f"{year}-12-31",
        },
        headers=headers,
    )
    assert contract.status_code == 201, contract.text
    return vendor.json()["id"], project, contract.json()
