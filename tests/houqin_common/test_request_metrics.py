"""The request metrics of every service: ``/metrics`` counts each request under its route template and its
status (``houqin_common.observability.Metrics``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

#: the route template the request metrics name ``GET /v1/vendors`` by: the route's path in its domain router
#: (FastAPI 0.165 hands the middleware the route as declared, without the ``/v1`` it is included under)
VENDORS = "/vendors"


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
