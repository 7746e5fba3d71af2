"""The vendor's registered name and the project's Chinese label beside their ids in contracts-api's answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Project, Vendor


async def name_parties(session: AsyncSession, items: Iterable[Any]) -> None:
    """Fill ``vendor_name`` / ``project_name_zh`` of answer models (and of their ``contract``) that carry
    ``vendor_id`` / ``project_code``: two queries for a whole page, both ids being foreign keys of this
    database, so a name is missing only for a row deleted meanwhile (then it stays null)."""
    targets = []
    for item in items:
        targets.append(item)
        nested = getattr(item, "contract", None)
        if nested is not None:
            targets.append(nested)
    vendor_ids = {t.vendor_id for t in targets if getattr(t, "vendor_id", None) and hasattr(t, "vendor_name")}
    codes = {t.project_code for t in targets if getattr(t, "project_code", None) and hasattr(t, "project_name_zh")}
    vendors: dict[str, str] = {}
    projects: dict[str, str] = {}
    if vendor_ids:
        rows = await session.execute(select(Vendor.id, Vendor.name).where(Vendor.id.in_(vendor_ids)))
        vendors = {r.id: r.name for r in rows}
    if codes:
        rows = await session.execute(select(Project.code, Project.name_zh).where(Project.code.in_(codes)))
        projects = {r.code: r.name_zh for r in rows}
    for t in targets:
        if hasattr(t, "vendor_name") and getattr(t, "vendor_id", None) and t.vendor_name is None:
            t.vendor_name = vendors.get(t.vendor_id)
        if hasattr(t, "project_name_zh") and getattr(t, "project_code", None) and t.project_name_zh is None:
            t.project_name_zh = projects.get(t.project_code)
