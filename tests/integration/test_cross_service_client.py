"""The typed clients of houqin_common against a real uvicorn service."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from houqin_common import credit_code
from houqin_common.auth import Role
from houqin_common.clients import AuthError, ContractsClient, NotFoundError, ServiceUnavailableError
from houqin_common.embedded import free_port
from support import LiveServices


async def test_contracts_client_over_real_http(live_services: LiveServices, make_token: Callable[..., str]) -> None:
    url = live_services.start("contracts")
    token = make_token(Role.procurement)
    async with ContractsClient(url, token=token) as client:
        created = await client.request(
            "POST", "/v1/vendors", json={"name": "常州某物业", "credit_code": credit_code.make(uuid.uuid4().int)}
        )
        vendor_id = created.json()["id"]
        vendor = await client.get_vendor(vendor_id)
        assert vendor.name == "常州某物业"
        with pytest.raises(NotFoundError) as missing:
            await client.get_vendor(str(uuid.uuid4()))
        assert missing.value.status == 404 and "not found" in missing.value.problem["detail"]
    async with ContractsClient(url, token=make_token(Role.staff)) as client:
        with pytest.raises(AuthError):
            await client.list_vendors()


async def test_unreachable_service_raises_typed_error() -> None:
    async with ContractsClient(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01) as client:
        with pytest.raises(ServiceUnavailableError):
            await client.get_vendor("x")
