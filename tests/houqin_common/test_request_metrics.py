"""The request metrics of every service: ``/metrics`` counts each request under its route template and its
status (``houqin_common.observability.Metrics``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

#: the route template the request metrics name ``GET /v1/vendors`` by: the whole path, the ``/v1`` the vendors
#: router is included under included (FastAPI 0.165 hands the middleware the route as declared in its router)
VENDORS = "/v1/vendors"


async def test_a_service_counts_its_requests(service_client: Callable[[str], Any], make_token: Any) -> None:
    client = await service_client("contracts")
    token = make_token("supervisor")

    def served(text: str) -> float:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = sample.labels
                if sample.name == "http_requests_total" and labels["route"] == VENDORS and labels["status"] == "200":
                    return sample.value
        return 0.0

    before = served((await client.get("/metrics")).text)
    for _ in range(3):
        assert (await client.get("/v1/vendors", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    # a refused request is counted under its status, not as a success
    assert (await client.get("/v1/vendors")).status_code == 401
    after = (await client.get("/metrics")).text
    assert served(after) == before + 3
    assert f'route="{VENDORS}",service="contracts-api",status="401"' in after
    # a route with a parameter is counted under its template, never under the requested path
    assert (
        await client.get("/v1/vendors/no-such-vendor", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 404
    after = (await client.get("/metrics")).text
    assert 'route="/v1/vendors/{vendor_id}",service="contracts-api",status="404"' in after
    assert "no-such-vendor" not in after
    # a path no route matches, and the probes, which are included without the prefix
    assert (await client.get("/v1/no-such-thing")).status_code == 404
    assert (await client.get("/healthz")).status_code == 200
    after = (await client.get("/metrics")).text
    assert 'route="unmatched",service="contracts-api",status="404"' in after
    assert 'route="/healthz",service="contracts-api",status="200"' in after
