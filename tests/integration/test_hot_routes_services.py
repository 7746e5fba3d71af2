"""Each service's hot routes answer what FastAPI answers for the same request, over the real database:
the same request goes to the service's app with hot routes and to the same app without them."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from houqin_common.auth import Role
from houqin_common.db import libpq_url
from houqin_common.service import discover_services
from support import asgi_client, auth, load_factory

TAG = uuid.uuid4().hex[:8]
ROWS = f"""
INSERT INTO contracts.vendor (id, name, credit_code, legal_status, contact_name, contact_phone, address)
SELECT 'hv-{TAG}-' || i, '热路径供应商{TAG}-' || i, 'HOT{TAG}' || lpad(i::text, 6, '0'),
       (ARRAY['registered', 'revoked'])[1 + i % 2], '联系人', '0519-8' || lpad(i::text, 7, '0'), '龙城大道' || i || '号'
FROM generate_series(1, 12) i;
INSERT INTO telemetry.meter (id, name, building, floor, zone, energy_type, sub_item, multiplier, vendor_id)
SELECT 'hm-{TAG}-' || i, '热路径电表 ' || i, 'HB{TAG}', (i % 3)::text, 'Z' || (i % 2), '01000',
       (ARRAY['01A10','01B10','01C10'])[1 + i % 3], 1, 'hv-{TAG}-' || (1 + i % 2)
FROM generate_series(1, 12) i;
INSERT INTO appraisal.complaint (id, kind, channel, category, vendor_id, project_code, description, filed_by,
                                 status, filed_at)
SELECT 'hc-{TAG}-' || i, 'complaint', 'web', (ARRAY['canteen_dishes', 'cleaning'])[1 + i % 2],
       'hv-{TAG}-' || (1 + i % 2), 'catering', '午餐偏咸 ' || i, 'staff-{TAG}-' || (i % 2), 'open',
       timestamptz '2026-06-01 12:00+08' + i * interval '1 day'
FROM generate_series(1, 12) i;
"""

V1, V2 = f"hv-{TAG}-1", f"hv-{TAG}-2"
#: per service: (path, caller) with caller one of the names of ``_callers``
REQUESTS: dict[str, list[tuple[str, str]]] = {
    "contracts": [
        (f"/v1/vendors/{V1}", "admin"),
        (f"/v1/vendors/{V1}", "vendor1"),
        (f"/v1/vendors/{V2}", "vendor1"),  # another vendor's record: 404
        ("/v1/vendors/no-such-vendor", "auditor"),
        (f"/v1/vendors?q={TAG}&limit=5&offset=2", "admin"),
        (f"/v1/vendors?q={TAG}&legal_status=revoked&sort=-credit_code", "auditor"),
        (f"/v1/vendors?q={TAG}&vetoed=false", "supervisor"),
        ("/v1/vendors", "vendor1"),
        ("/v1/vendors?sort=price", "admin"),  # 422 from the handler
        ("/v1/vendors?legal_status=asleep", "admin"),  # 422 from FastAPI
        ("/v1/vendors?limit=501", "admin"),
        (f"/v1/vendors/{V1}", "inspector"),  # 403
        (f"/v1/vendors/{V1}", "nobody"),  # 401
    ],
    "telemetry": [
        (f"/v1/meters/hm-{TAG}-3", "admin"),
        (f"/v1/meters/hm-{TAG}-3", "vendor1"),  # meter 3 is vendor 2's: 404
        (f"/v1/meters/hm-{TAG}-2", "vendor1"),
        (f"/v1/meters?building=HB{TAG}&limit=4", "admin"),
        (f"/v1/meters?building=HB{TAG}&sub_item=01B10&sort=-name", "auditor"),
        (f"/v1/meters?building=HB{TAG}", "vendor1"),
        ("/v1/meters?energy_type=toolong", "admin"),  # 422 from FastAPI
        ("/v1/meters", "nobody"),
    ],
    "appraisal": [
        (f"/v1/complaints/hc-{TAG}-2", "supervisor"),
        (f"/v1/complaints/hc-{TAG}-2", "vendor2"),  # complaint 2 concerns vendor 1: 404
        (f"/v1/complaints/hc-{TAG}-2", "vendor1"),
        (f"/v1/complaints/hc-{TAG}-2", "staff0"),  # filed by staff 0
        (f"/v1/complaints/hc-{TAG}-2", "staff1"),  # not theirs: 404
        (f"/v1/complaints?vendor_id={V1}&status=open&since=2026-06-05", "supervisor"),
        (f"/v1/complaints?vendor_id={V2}&category=canteen_dishes&sort=-filed_at", "auditor"),
        ("/v1/complaints?limit=3", "staff1"),
        ("/v1/complaints", "vendor2"),
        ("/v1/complaints?since=yesterday", "supervisor"),  # 422 from FastAPI
        ("/v1/complaints?status=lost", "supervisor"),
        ("/v1/complaints", "inspector"),
        (f"/v1/complaints/hc-{TAG}-2", "nobody"),
    ],
}


def _callers(make_token: Callable[..., str]) -> dict[str, dict[str, str]]:
    return {
        "admin": auth(make_token(Role.admin)),
        "auditor": auth(make_token(Role.auditor)),
        "supervisor": auth(make_token(Role.supervisor)),
        "inspector": auth(make_token(Role.inspector)),
        "vendor1": auth(make_token(Role.vendor, vendor_id=V1)),
        "vendor2": auth(make_token(Role.vendor, vendor_id=V2)),
        "staff0": auth(make_token(Role.staff, subject=f"staff-{TAG}-0")),
        "staff1": auth(make_token(Role.staff, subject=f"staff-{TAG}-1")),
        "nobody": {},
    }


def _answered(app: Any) -> float:
    total = 0.0
    for metric in app.state.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "http_hot_route_requests_total" and sample.labels["outcome"] == "answered":
                total += sample.value
    return total


@pytest.fixture(scope="module")
async def hot_rows(test_env: dict[str, str]) -> None:
    conn = await asyncpg.connect(libpq_url(test_env["HOUQIN_DATABASE_URL"]))
    try:
        await conn.execute(ROWS)
    finally:
        await conn.close()


@pytest.mark.parametrize("service", ["contracts", "telemetry", "appraisal"])
async def test_hot_routes_answer_as_fastapi_does(
    service: str, hot_rows: None, make_token: Callable[..., str], test_env: dict[str, str]
) -> None:
    spec = discover_services()[service]
    settings_module = __import__(f"{spec.package}.settings", fromlist=["get_settings"])
    with contextlib.suppress(AttributeError):
        settings_module.get_settings.cache_clear()
    hot_app, plain_app = load_factory(spec)(), load_factory(spec)()
    plain_app.hot_routes = False  # type: ignore[attr-defined]
    callers = _callers(make_token)
    statuses = set()
    async with asgi_client(hot_app) as hot, asgi_client(plain_app) as plain:
        for path, caller in REQUESTS[service]:
            for lang in ("zh-CN", "en"):
                headers = {**callers[caller], "Accept-Language": lang, "X-Request-ID": f"req-{TAG}"}
                hot_r, plain_r = await hot.get(path, headers=headers), await plain.get(path, headers=headers)
                assert (hot_r.status_code, hot_r.content) == (plain_r.status_code, plain_r.content), (path, caller)
                assert hot_r.headers["content-type"] == plain_r.headers["content-type"]
                statuses.add(hot_r.status_code)
        # the positive controls: real rows were read, and the hot path answered them
        first = await hot.get(REQUESTS[service][0][0], headers=callers[REQUESTS[service][0][1]])
        assert first.status_code == 200 and TAG in first.text
    assert {200, 401, 404, 422} <= statuses
    assert _answered(hot_app) >= len(REQUESTS[service]) and _answered(plain_app) == 0
