"""The name directory: one fetch of the register per TTL, single look-ups for ids it lacks, the last
copy when contracts-api fails, a clear 'unavailable' when there is no copy (pure, no network)."""

from __future__ import annotations

import asyncio

from appraisal.names import NameDirectory
from houqin_common.clients import NotFoundError, ServiceUnavailableError
from houqin_common.i18n import use_locale
from houqin_common.schemas import Page, ProjectRef, VendorRef


class Register:
    """A contracts-api stand-in with counters (the real one is exercised in test_names_cross_service)."""

    def __init__(self) -> None:
        self.vendors = {"v1": "常州天厨餐饮有限公司"}
        self.projects = {
            "catering": ProjectRef(code="catering", name="Canteen", name_zh="食堂", service_type="support")
        }
        self.calls: list[str] = []
        self.down = False

    def _check(self, call: str) -> None:
        self.calls.append(call)
        if self.down:
            raise ServiceUnavailableError(503, {"detail": "down"}, service="contracts-api")

    async def list_vendors(self, *, limit: int = 100, offset: int = 0) -> Page[VendorRef]:
        self._check("vendors")
        items = [VendorRef(id=k, name=v, credit_code="x") for k, v in self.vendors.items()]
        return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)

    async def list_projects(self, *, limit: int = 100, offset: int = 0) -> Page[ProjectRef]:
        self._check("projects")
        items = list(self.projects.values())
        return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)

    async def get_vendor(self, vendor_id: str) -> VendorRef:
        self._check(f"vendor:{vendor_id}")
        if vendor_id not in self.vendors:
            raise NotFoundError(404, {}, service="contracts-api")
        return VendorRef(id=vendor_id, name=self.vendors[vendor_id], credit_code="x")

    async def get_project(self, code: str) -> ProjectRef:
        self._check(f"project:{code}")
        raise NotFoundError(404, {}, service="contracts-api")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


async def test_cached_batched_and_falling_back() -> None:
    reg, clock = Register(), Clock()
    directory = NameDirectory(reg, ttl_s=60, retry_s=10, monotonic=clock)  # type: ignore[arg-type]
    names = await directory.resolve(["v1"], ["catering"])
    assert names.vendor_name("v1") == "常州天厨餐饮有限公司" and names.service_type("catering") == "support"
    assert reg.calls == ["vendors", "projects"]
    # a vendor registered since the fetch is asked for alone; an unknown one once
    reg.vendors["v2"] = "新苑商务中心"
    names = await directory.resolve(["v1", "v2", "ghost"], ["catering"])
    assert names.vendor_name("v2") == "新苑商务中心" and names.vendor_name("ghost") is None
    assert sorted(reg.calls[2:]) == ["vendor:ghost", "vendor:v2"]
    await directory.resolve(["ghost"], [])
    assert len(reg.calls) == 4
    # contracts-api down after the TTL: the last copy is served, the refresh (in the background) fails,
    # and the register is not asked again within retry_s
    reg.down, clock.t = True, 61.0
    names = await directory.resolve(["v1"], ["catering"])
    assert names.available and names.vendor_name("v1") == "常州天厨餐饮有限公司"
    await directory.settle()
    assert reg.calls[-1] == "vendors"  # the refresh was tried
    calls = len(reg.calls)
    await directory.resolve(["v1"], [])
    await directory.settle()
    assert len(reg.calls) == calls
    reg.down, clock.t = False, 200.0
    await directory.resolve(["v1"], [])
    await directory.settle()
    assert reg.calls[-2:] == ["vendors", "projects"]


class SlowRegister(Register):
    """The register's list answers only when the test lets it (contracts-api slow or retrying)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def list_vendors(self, *, limit: int = 100, offset: int = 0) -> Page[VendorRef]:
        if self.calls:  # the first load goes through; later ones wait at the gate
            self.entered.set()
            await self.gate.wait()
        return await super().list_vendors(limit=limit, offset=offset)


async def test_an_expired_copy_answers_while_the_refresh_waits_for_contracts_api() -> None:
    reg, clock = SlowRegister(), Clock()
    directory = NameDirectory(reg, ttl_s=60, retry_s=10, monotonic=clock)  # type: ignore[arg-type]
    assert (await directory.resolve(["v1"], [])).vendor_name("v1") == "常州天厨餐饮有限公司"
    reg.vendors["v1"] = "常州天厨餐饮管理有限公司"  # renamed in the register
    clock.t = 61.0
    # the refresh is stuck at the gate (positive control: it did start) and the request is answered anyway
    names = await asyncio.wait_for(directory.resolve(["v1"], []), 5)
    await asyncio.wait_for(reg.entered.wait(), 5)
    assert names.vendor_name("v1") == "常州天厨餐饮有限公司"
    reg.gate.set()
    await directory.settle()
    assert (await directory.resolve(["v1"], [])).vendor_name("v1") == "常州天厨餐饮管理有限公司"


async def test_no_copy_and_no_contracts_api_says_so() -> None:
    reg = Register()
    reg.down = True
    names = await NameDirectory(reg).resolve(["v1"], ["catering"])  # type: ignore[arg-type]
    assert not names.available and names.vendor_name("v1") is None and names.service_type("catering") is None
    with use_locale("zh_CN"):
        assert names.vendor_label("v1abcdefgh") == "（名称暂不可得：合同服务无法连接）v1abcdef"
    reg.down = False
    fresh = await NameDirectory(reg).resolve(["nobody"], [])  # type: ignore[arg-type]
    with use_locale("en"):
        assert fresh.available and fresh.vendor_label("nobody") == "(not registered in contracts-api) nobody"
