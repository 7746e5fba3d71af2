from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Contract, Procurement, Project, Vendor
from contracts_api.ocds.builder import Process


def _ocid(prefix: str, process_id: str) -> str:
    return f"{prefix}-{process_id}"


async def processes(
    session: AsyncSession, *, prefix: str, project_code: str | None, limit: int, offset: int
) -> tuple[list[Process], dict[str, Vendor], int]:
    """A page of contracting processes: procurements, then contracts without one, oldest first."""
    proc_stmt = select(Procurement.id.label("pid"), Procurement.created_at.label("at"))
    lone_stmt = select(Contract.id.label("pid"), Contract.created_at.label("at")).where(
        Contract.procurement_id.is_(None)
    )
    if project_code:
        proc_stmt = proc_stmt.where(Procurement.project_code == project_code)
        lone_stmt = lone_stmt.where(Contract.project_code == project_code)
    union = proc_stmt.union_all(lone_stmt).subquery()
    total = (await session.execute(select(func.count()).select_from(union))).scalar_one()
    ids = [
        r.pid
        for r in await session.execute(
            select(union.c.pid).order_by(union.c.at, union.c.pid).limit(limit).offset(offset)
        )
    ]
    procurements = {
        p.id: p for p in (await session.execute(select(Procurement).where(Procurement.id.in_(ids)))).scalars()
    }
    contracts = list(
        (
            await session.execute(
                select(Contract)
                .where(or_(Contract.procurement_id.in_(ids), Contract.id.in_(ids)))
                .order_by(Contract.created_at)
            )
        ).scalars()
    )
    predecessor_ids = {c.predecessor_id for c in contracts if c.predecessor_id}
    predecessor_ids |= {p.predecessor_contract_id for p in procurements.values() if p.predecessor_contract_id}
    predecessors = {
        c.id: c for c in (await session.execute(select(Contract).where(Contract.id.in_(predecessor_ids)))).scalars()
    }
    vendor_ids = {c.vendor_id for c in contracts}
    vendors = {v.id: v for v in (await session.execute(select(Vendor).where(Vendor.id.in_(vendor_ids)))).scalars()}
    projects = {p.code: p for p in (await session.execute(select(Project))).scalars()}
    out: list[Process] = []
    for pid in ids:
        procurement = procurements.get(pid)
        own = [c for c in contracts if (c.procurement_id == pid if procurement else c.id == pid)]
        code = procurement.project_code if procurement else (own[0].project_code if own else None)
        pred_id = (procurement.predecessor_contract_id if procurement and procurement.is_renewal else None) or next(
            (c.predecessor_id for c in own if c.predecessor_id), None
        )
        route = procurement.route if procurement else (own[0].route if own else None)
        prior = None
        if pred_id and route == "single_source" and pred_id in predecessors:
            pred = predecessors[pred_id]
            prior = _ocid(prefix, pred.procurement_id or pred.id)
        out.append(Process(_ocid(prefix, pid), projects.get(code or ""), procurement, own, prior))
    return out, vendors, int(total)
