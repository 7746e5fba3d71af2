"""Every query of the OCDS domain: the contracting processes' current state and the release store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Bid, Contract, OcdsRelease, Procurement, Project, Quote, Vendor


async def next_seq(session: AsyncSession) -> int:
    """The next release number, drawn before the insert so the release id can carry it (unique, never
    reused even when a transaction rolls back)."""
    row = await session.execute(text("SELECT nextval(pg_get_serial_sequence('contracts.ocds_release', 'seq'))"))
    return int(row.scalar_one())


async def add_release(session: AsyncSession, release: OcdsRelease) -> None:
    session.add(release)
    await session.flush()


async def get_release(session: AsyncSession, release_id: str) -> OcdsRelease | None:
    row = await session.execute(select(OcdsRelease).where(OcdsRelease.id == release_id))
    return row.scalar_one_or_none()


def _ocid_filter(stmt: Any, prefix: str, project_code: str | None) -> Any:
    if not project_code:
        return stmt
    procs = select(Procurement.id).where(Procurement.project_code == project_code)
    lone = select(Contract.id).where(Contract.project_code == project_code, Contract.procurement_id.is_(None))
    ids = procs.union_all(lone).subquery()
    return stmt.where(OcdsRelease.ocid.in_(select(func.concat(prefix + "-", ids.c.id))))


async def releases_page(
    session: AsyncSession, *, prefix: str, project_code: str | None, limit: int, offset: int
) -> tuple[list[OcdsRelease], int]:
    stmt = _ocid_filter(select(OcdsRelease), prefix, project_code)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(OcdsRelease.seq).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


async def ocids_page(
    session: AsyncSession, *, prefix: str, project_code: str | None, limit: int, offset: int
) -> tuple[list[str], int]:
    stmt = _ocid_filter(
        select(OcdsRelease.ocid, func.min(OcdsRelease.seq).label("first")), prefix, project_code
    ).group_by(OcdsRelease.ocid)
    sub = stmt.subquery()
    total = (await session.execute(select(func.count()).select_from(sub))).scalar_one()
    rows = await session.execute(select(sub.c.ocid).order_by(sub.c.first).limit(limit).offset(offset))
    return [r[0] for r in rows], int(total)


async def releases_of(session: AsyncSession, ocids: Sequence[str]) -> list[OcdsRelease]:
    rows = await session.execute(
        select(OcdsRelease).where(OcdsRelease.ocid.in_(ocids)).order_by(OcdsRelease.ocid, OcdsRelease.seq)
    )
    return list(rows.scalars())


async def process_rows(
    session: AsyncSession, process_id: str
) -> tuple[Procurement | None, list[Contract], list[Bid], list[Quote]]:
    """The procurement (or lone contract) ``process_id`` with its contracts, bids and quotes."""
    procurement = await session.get(Procurement, process_id)
    contracts = list(
        (
            await session.execute(
                select(Contract)
                .where(or_(Contract.procurement_id == process_id, Contract.id == process_id))
                .order_by(Contract.created_at, Contract.id)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    if procurement is None:
        contracts = [c for c in contracts if c.id == process_id]
        return None, contracts, [], []
    bids = list(
        (
            await session.execute(select(Bid).where(Bid.procurement_id == process_id).order_by(Bid.created_at, Bid.id))
        ).scalars()
    )
    quotes = list(
        (
            await session.execute(
                select(Quote).where(Quote.procurement_id == process_id).order_by(Quote.created_at, Quote.id)
            )
        ).scalars()
    )
    return procurement, contracts, bids, quotes


async def contract(session: AsyncSession, contract_id: str) -> Contract | None:
    return await session.get(Contract, contract_id)


async def project(session: AsyncSession, code: str) -> Project | None:
    return await session.get(Project, code)


async def vendors(session: AsyncSession, ids: set[str]) -> dict[str, Vendor]:
    rows = await session.execute(select(Vendor).where(Vendor.id.in_(ids)))
    return {v.id: v for v in rows.scalars()}
