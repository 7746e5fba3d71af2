"""The renewal route against the REAL appraisal service (a uvicorn process on the same database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts_api.procurement.routing import policy
from contracts_api.procurement.rules import recommend_route
from contracts_api.settings import Settings
from houqin_common.auth import Role
from houqin_common.clients import AppraisalClient, NotFoundError
from support import LiveServices

from .test_router import contracts_with_appraisal_at

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _give_vendor_a_2025_inspection(appraisal_url: str, vendor_id: str, token: str) -> bool:
    """Best effort: a routine inspection in 2025 so appraisal has data for the vendor."""
    async with AppraisalClient(appraisal_url, token=token, retries=0) as client:
        try:
            checklist = await client.request(
                "POST",
                "/v1/checklists",
                json={
                    "name": "安保月检",
                    "project_code": "security",
                    "frequency": "monthly",
                    "items": [{"code": "A1", "text": "岗位在岗", "max_points": 10}],
                },
            )
            await client.request(
                "POST",
                "/v1/routine-inspections",
                json={
                    "vendor_id": vendor_id,
                    "template_id": checklist.json()["id"],
                    "inspected_on": "2025-06-10",
                    "results": [{"code": "A1", "points": 9.5}],
                },
            )
        except Exception:
            return False
    return True


async def test_renewal_route_uses_the_real_appraisal_score(api, live_services: LiveServices, make_token) -> None:
    appraisal_url = live_services.start("appraisal")
    incumbent = await api.vendor("江苏实测保安服务有限公司")
    predecessor = await api.contract(
        incumbent["id"], project_code="security", value="2400000", start_date="2026-01-01", end_date="2026-12-31"
    )
    assert predecessor.status_code == 201
    seeded_data = await _give_vendor_a_2025_inspection(
        appraisal_url, incumbent["id"], make_token(Role.supervisor, subject="inspector-sun")
    )
    async with AppraisalClient(appraisal_url, token=make_token(Role.procurement)) as appraisal:
        try:
            score = await appraisal.vendor_score(incumbent["id"], "2025")
        except NotFoundError:
            score = None
    if seeded_data:
        assert score is not None and score.vendor_id == incumbent["id"]
    expected = recommend_route(
        project_code="security",
        value=Decimal("2400000"),
        renewal=True,
        policy=policy(Settings()),
        score=score,
        period="2025",
    )
    async with contracts_with_appraisal_at(appraisal_url) as client:
        r = await client.post(
            "/v1/procurements",
            json={
                "project_code": "security",
                "estimated_value": "2400000",
                "renewal": True,
                "predecessor_contract_id": predecessor.json()["id"],
            },
            headers=api.procurement,
        )
    assert r.status_code == 201, r.text
    assert r.json()["route"] == expected.route and r.json()["reasons"] == expected.shown()
    if seeded_data:
        # one routine inspection at 95 % and nothing against the vendor clears the 85 bar
        assert r.json()["route"] == "single_source"
    assert r.json()["appraisal"] == (score.model_dump(mode="json") if score else None)
