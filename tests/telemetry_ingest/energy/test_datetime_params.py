"""`?start=0.5` is refused: a number is not a date-time (it used to mean 1970). The rollup refresh takes no
window any more: it refreshes exactly what the invalidation log names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from houqin_common.auth import Role
from support import auth


async def test_consumption_refuses_numeric_datetimes(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    window = {"start": "0.5", "end": "2026-02-11T00:00:00+08:00", "granularity": "day"}
    refused = await client.get("/v1/energy/consumption", params=window, headers=headers)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    ok = {**window, "start": "2026-02-10T00:00:00+08:00"}
    assert (await client.get("/v1/energy/consumption", params=ok, headers=headers)).status_code == 200
