"""Demo data for `make seed`: the 23 vendors and 20 projects of `houqin_common.demo`, and for each
project a 2025 contract (completed) renewed by a 2026 one (active, ending within 90 days of late 2026),
each from its procurement. Idempotent: stable ids and ``ON CONFLICT DO NOTHING``."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import AuditEntry, Bid, Contract, Procurement, Project, Qualification, Vendor, Veto
from contracts_api.models.enums import Route
from contracts_api.ocds import service as ocds_service
from contracts_api.procurement import rules
from contracts_api.projects.service import default_category
from contracts_api.settings import Settings
from houqin_common import progress
from houqin_common.db import create_engine, make_sessionmaker
from houqin_common.demo import CONTRACTED, DEMO_NAMESPACE, PROJECTS, VENDORS
from houqin_common.i18n import N_, Text, _

SEED_ACTOR = "seed"


def _id(kind: str, *parts: object) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"contracts-{kind}-" + "-".join(str(p) for p in parts)))


async def _upsert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    stmt = pg_insert(model).values(rows).on_conflict_do_nothing().returning(model.__table__.primary_key.columns[0])
    return [r[0] for r in await session.execute(stmt)]


def _first_route(project: Any, value: Decimal, policy: rules.RoutePolicy) -> rules.RouteDecision:
    """The route a first award takes, its reasons naming the project (as the route endpoint does)."""
    return rules.recommend_route(
        project_code=project.code,
        value=value,
        renewal=False,
        policy=policy,
        project_name=Text.named(project.name_zh, project.name),
    )


async def load(session: AsyncSession, settings: Settings) -> None:
    policy = rules.RoutePolicy(
        open_tender_threshold=settings.open_tender_threshold,
        micro_projects=frozenset(settings.micro_projects),
        appraisal_weighted_projects=frozenset(settings.appraisal_weighted_projects),
    )
    await _upsert(
        session,
        Vendor,
        [
            {
                "id": v.id,
                "name": v.name,
                "credit_code": v.credit_code,
                "legal_status": "registered",
                "contact_name": "联系人",
                "contact_phone": f"0519-8{i:07d}",
            }
            for i, v in enumerate(VENDORS, start=1)
        ],
    )
    await _upsert(
        session,
        Project,
        [
            {
                "code": p.code,
                "name": p.name,
                "name_zh": p.name_zh,
                "funding": p.funding,
                "operation": p.operation,
                "service_type": p.service_type,
                "category": default_category(p.code, Decimal(p.annual_value), settings),
                "annual_value": Decimal(p.annual_value),
            }
            for p in PROJECTS
        ],
    )
    await _upsert(
        session,
        Qualification,
        [
            {
                "id": _id("qualification", v.id),
                "vendor_id": v.id,
                "kind": "营业执照",
                "number": v.credit_code,
                "issuer": "常州市市场监督管理局",
                "valid_from": date(2015, 1, 1),
                "valid_to": date(2026, 12, 20) if i % 5 == 0 else date(2035, 12, 31),
                "mandatory": True,
            }
            for i, v in enumerate(VENDORS, start=1)
        ],
    )
    # The last demo vendor carries an active veto so eligibility has something to show.
    vetoed = VENDORS[-1]
    await _upsert(
        session,
        Veto,
        [
            {
                "id": _id("veto", vetoed.id),
                "vendor_id": vetoed.id,
                "ground": "poor_credit",
                "evidence": "2025年食品安全抽检两次不合格并被列入经营异常名录",
                "recorded_by": SEED_ACTOR,
            }
        ],
    )
    procurements: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    bids: list[dict[str, Any]] = []
    # the invited advice days have no contract: only the projects with an incumbent are procured
    for project in CONTRACTED:
        vendor = next(v for v in VENDORS if project.code in v.projects)
        value = Decimal(project.annual_value).quantize(Decimal("0.01"))
        first = _first_route(project, value, policy)
        p2025, c2025 = _id("procurement", project.code, 2025), _id("contract", project.code, 2025)
        p2026, c2026 = _id("procurement", project.code, 2026), _id("contract", project.code, 2026)
        renewal_route = first.route if first.route != Route.open_tender else Route.single_source
        renewal_reasons = (
            [Text(N_("seeded demo: the incumbent's 2025 appraisal cleared the bar; single-source renewal")).to_json()]
            if renewal_route == Route.single_source
            else [r.to_json() for r in first.reasons]
        )
        awarded = datetime(2024, 12, 1, tzinfo=UTC)
        for pid, route, reasons, renewal, pred, at in (
            (p2025, first.route, [r.to_json() for r in first.reasons], False, None, awarded),
            (p2026, renewal_route, renewal_reasons, True, c2025, datetime(2025, 12, 1, tzinfo=UTC)),
        ):
            procurements.append(
                {
                    "id": pid,
                    "project_code": project.code,
                    "title": f"{project.name_zh}服务采购",
                    "estimated_value": value,
                    "is_renewal": renewal,
                    "predecessor_contract_id": pred,
                    "incumbent_vendor_id": vendor.id if renewal else None,
                    "route": route,
                    "reasons": reasons,
                    "status": "awarded",
                    "awarded_vendor_id": vendor.id,
                    "awarded_value": value,
                    "awarded_at": at,
                    "created_by": SEED_ACTOR,
                }
            )
            if route in (Route.open_tender, Route.designated_tender):
                bids.extend(_bids(pid, vendor.id, value))
        for cid, pid, year, status, pred, route in (
            (c2025, p2025, 2025, "completed", None, first.route),
            (c2026, p2026, 2026, "active", c2025, renewal_route),
        ):
            contracts.append(
                {
                    "id": cid,
                    "procurement_id": pid,
                    "project_code": project.code,
                    "vendor_id": vendor.id,
                    "predecessor_id": pred,
                    "title": f"{year}年度{project.name_zh}服务合同",
                    "value": value,
                    "start_date": date(year, 1, 1),
                    "end_date": date(year, 12, 31),
                    "status": status,
                    "route": route,
                    "expert_review_required": route in (Route.open_tender, Route.designated_tender),
                    "version": 1,
                }
            )
    new_processes = await _upsert(session, Procurement, procurements)
    # a tender's bids (the winner's and two others'): its OCDS award names its tenderers
    await _upsert(session, Bid, [b for b in bids if b["procurement_id"] in set(new_processes)])
    # 2025 contracts first: the 2026 ones reference them.
    inserted = await _upsert(session, Contract, [c for c in contracts if c["predecessor_id"] is None])
    inserted += await _upsert(session, Contract, [c for c in contracts if c["predecessor_id"] is not None])
    by_id = {c["id"]: c for c in contracts}
    # Each seeded process gets its one OCDS release (the state the demo starts from).
    for pid in new_processes:
        await ocds_service.publish(session, process_id=pid, event="seed", tags=["tender", "award", "contract"])
    if inserted:
        await session.execute(
            insert(AuditEntry),
            [
                {
                    "actor": SEED_ACTOR,
                    "action": "contract.seed",
                    "entity_type": "contract",
                    "entity_id": cid,
                    "contract_id": cid,
                    "to_status": by_id[cid]["status"],
                    "comment": "演示数据",
                }
                for cid in inserted
            ],
        )


def _bids(procurement_id: str, winner: str, value: Decimal) -> list[dict[str, Any]]:
    """The awarded vendor's bid at the awarded value and two dearer ones from other demo vendors."""
    others = [v.id for v in VENDORS if v.id != winner and v.id != VENDORS[-1].id]
    start = int(uuid.UUID(procurement_id)) % len(others)
    rivals = [others[start], others[(start + 1) % len(others)]]
    return [
        {
            "id": _id("bid", procurement_id, vendor_id),
            "procurement_id": procurement_id,
            "vendor_id": vendor_id,
            "amount": (value * markup).quantize(Decimal("0.01")),
        }
        for vendor_id, markup in zip([winner, *rivals], (Decimal(1), Decimal("1.06"), Decimal("1.11")), strict=True)
    ]


async def seed(database_url: str) -> None:
    """Load the demo data into ``database_url`` (migrated); safe to run again."""
    settings = Settings(database_url=database_url)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            progress.say(
                _(
                    "{vendors} vendors, {projects} projects, their contracts and procurements",
                    vendors=len(VENDORS),
                    projects=len(PROJECTS),
                )
            )
            await load(session, settings)
            await session.commit()
    finally:
        await engine.dispose()
