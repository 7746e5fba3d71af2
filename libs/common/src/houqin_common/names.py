"""Vendor names and project labels from contracts-api, the register that holds them (shared by appraisal
and telemetry-ingest: each keeps one `NameDirectory` on its app).

Scores, rankings, awards and reports carry the vendor's registered name and the project's Chinese
label next to the id, and scoring weighs a vendor by the service type of its projects: all of it
read here, never from demo data. The whole register (a few dozen vendors and projects) is fetched in
pages and kept for ``names_ttl_s``; an id missing from it is asked for one by one (a vendor registered
since the last fetch). When contracts-api cannot be reached the last copy is used, however old, and
with none the answer says so (``available`` false): scores keep their numbers, names are null and the
scheme falls back to the configured default, which the score's note states.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from houqin_common.clients import ApiError, NotFoundError
from houqin_common.i18n import _
from houqin_common.schemas import Page, ProjectLabel, ProjectRef, VendorRef

logger = logging.getLogger("houqin.names")

PAGE = 500


class Register(Protocol):
    """What the directory needs of contracts-api (``houqin_common.clients.ContractsClient``)."""

    async def list_vendors(self, *, limit: int = 100, offset: int = 0) -> Page[VendorRef]: ...

    async def get_vendor(self, vendor_id: str) -> VendorRef: ...

    async def list_projects(self, *, limit: int = 100, offset: int = 0) -> Page[ProjectRef]: ...

    async def get_project(self, code: str) -> ProjectRef: ...


@dataclass(frozen=True)
class Names:
    """What is known of some vendors and projects; ``available`` is false when contracts-api was down."""

    vendors: dict[str, str] = field(default_factory=dict)
    projects: dict[str, ProjectRef] = field(default_factory=dict)
    available: bool = True

    def vendor_name(self, vendor_id: str) -> str | None:
        return self.vendors.get(vendor_id)

    def vendor_label(self, vendor_id: str) -> str:
        """The registered name, or a text that says why there is none (reports always print something)."""
        name = self.vendors.get(vendor_id)
        if name:
            return name
        if not self.available:
            return _("(name unavailable: contracts-api unreachable) {vendor_id}", vendor_id=vendor_id[:8])
        return _("(not registered in contracts-api) {vendor_id}", vendor_id=vendor_id[:8])

    def project_label(self, code: str) -> str:
        project = self.projects.get(code)
        return project.name_zh if project else code

    def project_labels(self, codes: Iterable[str]) -> list[ProjectLabel]:
        return [ProjectLabel(code=c, name_zh=p.name_zh if (p := self.projects.get(c)) else None) for c in sorted(codes)]

    def service_type(self, code: str) -> str | None:
        project = self.projects.get(code)
        return project.service_type if project else None


UNAVAILABLE = Names(available=False)


class NameDirectory:
    """A TTL cache of the contracts-api register (one per app, shared by all requests).

    Only the first load is waited for. Once a copy exists, an expired one is still served while one
    background task fetches the next (stale while revalidate): a request never waits for contracts-api's
    retries because the copy aged, and while contracts-api is down the copy keeps being served (the task
    fails, logs and backs off ``retry_s``)."""

    def __init__(
        self,
        register: Register | None,
        *,
        ttl_s: float = 300.0,
        retry_s: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.register = register
        self.ttl_s = ttl_s
        self.retry_s = retry_s
        self._now = monotonic
        self._vendors: dict[str, str] = {}
        self._projects: dict[str, ProjectRef] = {}
        self._unknown: set[str] = set()
        self._loaded_at: float | None = None
        self._failed_at: float | None = None
        self._lock = asyncio.Lock()
        self._refreshing: asyncio.Task[None] | None = None

    def _fresh(self) -> bool:
        return self._loaded_at is not None and self._now() - self._loaded_at < self.ttl_s

    def _backing_off(self) -> bool:
        return self._failed_at is not None and self._now() - self._failed_at < self.retry_s

    async def _reload(self) -> None:
        assert self.register is not None
        vendors: dict[str, str] = {}
        projects: dict[str, ProjectRef] = {}
        offset = 0
        while True:
            page = await self.register.list_vendors(limit=PAGE, offset=offset)
            vendors.update({v.id: v.name for v in page.items})
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        offset = 0
        while True:
            ppage = await self.register.list_projects(limit=PAGE, offset=offset)
            projects.update({p.code: p for p in ppage.items})
            offset += len(ppage.items)
            if not ppage.items or offset >= ppage.total:
                break
        self._vendors, self._projects, self._unknown = vendors, projects, set()
        self._loaded_at, self._failed_at = self._now(), None

    def _refresh_in_background(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._background_reload())

    async def _background_reload(self) -> None:
        # no lock: _reload swaps the maps in one step at its end, so readers see the old copy or the new one
        try:
            await self._reload()
        except (ApiError, ValueError) as exc:  # ValueError: a body that is not the register's
            logger.warning("vendor names not refreshed from contracts-api (serving the last copy): %s", exc)
            self._failed_at = self._now()

    async def settle(self) -> None:
        """Wait for the background refresh, if one runs (tests, and a caller that needs the new copy)."""
        if self._refreshing is not None:
            await self._refreshing

    async def _one_vendor(self, vendor_id: str) -> None:
        assert self.register is not None
        try:
            self._vendors[vendor_id] = (await self.register.get_vendor(vendor_id)).name
        except NotFoundError:
            self._unknown.add(vendor_id)

    async def _one_project(self, code: str) -> None:
        assert self.register is not None
        try:
            self._projects[code] = await self.register.get_project(code)
        except NotFoundError:
            self._unknown.add("project:" + code)

    async def resolve(self, vendor_ids: Iterable[str], project_codes: Iterable[str]) -> Names:
        """Names of ``vendor_ids`` and labels of ``project_codes``, from the cache or contracts-api."""
        vendor_ids, project_codes = set(vendor_ids), set(project_codes)
        if self.register is None:
            return UNAVAILABLE
        if self._loaded_at is not None:
            if not self._fresh() and not self._backing_off():
                self._refresh_in_background()  # the expired copy answers this request
            if self._knows(vendor_ids, project_codes):
                # the answer of every request once the register is loaded: what the locked path below would
                # answer (nothing to fetch), without the lock and the fetches' bookkeeping
                return self._names(vendor_ids, project_codes, available=True)
        async with self._lock:
            reachable = True
            if self._backing_off():
                reachable = False
            elif self._loaded_at is None:
                try:
                    await self._reload()
                except (ApiError, ValueError) as exc:  # ValueError: a body that is not the register's
                    logger.warning("vendor names unavailable from contracts-api: %s", exc)
                    self._failed_at = self._now()
                    reachable = False
            if reachable:
                missing_v = [v for v in vendor_ids if v not in self._vendors and v not in self._unknown]
                missing_p = [
                    p for p in project_codes if p not in self._projects and "project:" + p not in self._unknown
                ]
                try:
                    await asyncio.gather(
                        *(self._one_vendor(v) for v in missing_v), *(self._one_project(p) for p in missing_p)
                    )
                except (ApiError, ValueError) as exc:  # ValueError: a body that is not the register's
                    logger.warning("vendor names unavailable from contracts-api: %s", exc)
                    self._failed_at = self._now()
                    reachable = False
            return self._names(vendor_ids, project_codes, available=reachable or self._loaded_at is not None)

    def _knows(self, vendor_ids: set[str], project_codes: set[str]) -> bool:
        """Whether the copy answers for every id: registered, or known to be missing from the register."""
        vendors, projects, unknown = self._vendors, self._projects, self._unknown
        return all(v in vendors or v in unknown for v in vendor_ids) and all(
            p in projects or "project:" + p in unknown for p in project_codes
        )

    def _names(self, vendor_ids: set[str], project_codes: set[str], *, available: bool) -> Names:
        vendors, projects = self._vendors, self._projects
        return Names(
            vendors={v: vendors[v] for v in vendor_ids if v in vendors},
            projects={p: projects[p] for p in project_codes if p in projects},
            available=available,
        )


async def name_vendors(directory: NameDirectory, items: Iterable[Any]) -> None:
    """Fill ``vendor_name`` of answer models beside their ``vendor_id``: the registered name, or the text
    of :meth:`Names.vendor_label` saying why there is none (contracts-api unreachable, not registered);
    and ``project_name_zh`` beside ``project_code`` where the model has one (null when unknown)."""
    items = list(items)
    vendors = [i for i in items if getattr(i, "vendor_id", None) and getattr(i, "vendor_name", None) is None]
    projects = [i for i in items if getattr(i, "project_code", None) and hasattr(i, "project_name_zh")]
    if not vendors and not projects:
        return
    names = await directory.resolve({i.vendor_id for i in vendors}, {i.project_code for i in projects})
    for item in vendors:
        item.vendor_name = names.vendor_label(item.vendor_id)
    for item in projects:
        project = names.projects.get(item.project_code)
        item.project_name_zh = project.name_zh if project else None


async def name_records(directory: NameDirectory, records: list[dict[str, Any]]) -> None:
    """:func:`name_vendors` for the fields of answers not validated yet (``vendor_id``, ``project_code``):
    ``vendor_name`` and ``project_name_zh`` go in before the one validation of a page, rather than being
    assigned to each validated model afterwards (two validated assignments per row)."""
    vendors = [r for r in records if r.get("vendor_id") and r.get("vendor_name") is None]
    projects = [r for r in records if r.get("project_code")]
    if not vendors and not projects:
        return
    names = await directory.resolve({r["vendor_id"] for r in vendors}, {r["project_code"] for r in projects})
    for record in vendors:
        record["vendor_name"] = names.vendor_label(record["vendor_id"])
    for record in projects:
        project = names.projects.get(record["project_code"])
        record["project_name_zh"] = project.name_zh if project else None
