"""The OCDS release store: one append-only release per event, written in the event's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Contract, OcdsRelease
from contracts_api.ocds import builder, merge, repository
from contracts_api.settings import get_settings
from houqin_common import clock
from houqin_common.errors import NotFound
from houqin_common.i18n import _

#: contract status → the OCDS release tag of the move into it
CONTRACT_TAGS = {
    "signed": ["contractUpdate"],
    "active": ["implementation"],
    "completed": ["implementationUpdate"],
    "terminated": ["contractTermination"],
}


def ocid(prefix: str, process_id: str) -> str:
    return f"{prefix}-{process_id}"


async def _process(session: AsyncSession, *, prefix: str, process_id: str) -> builder.Process:
    procurement, contracts, bids, quotes = await repository.process_rows(session, process_id)
    code = procurement.project_code if procurement else (contracts[0].project_code if contracts else None)
    project = await repository.project(session, code) if code else None
    route = procurement.route if procurement else (contracts[0].route if contracts else None)
    pred_id = (procurement.predecessor_contract_id if procurement and procurement.is_renewal else None) or next(
        (c.predecessor_id for c in contracts if c.predecessor_id), None
    )
    prior = None
    if pred_id and route == "single_source":
        pred = await repository.contract(session, pred_id)
        if pred is not None:
            prior = ocid(prefix, pred.procurement_id or pred.id)
    return builder.Process(ocid(prefix, process_id), project, procurement, contracts, prior, bids, quotes)


async def publish(session: AsyncSession, *, process_id: str, event: str, tags: list[str]) -> OcdsRelease:
    """Append the release describing the process after ``event``; it commits or rolls back with the event.

    The id is ``<ocid>-<sequence number>``: unique and never reused, so no two states share an id."""
    settings = get_settings()
    process = await _process(session, prefix=settings.ocid_prefix, process_id=process_id)
    vendor_ids = {c.vendor_id for c in process.contracts} | {b.vendor_id for b in process.bids}
    vendor_ids |= {q.vendor_id for q in process.quotes}
    vendors = await repository.vendors(session, vendor_ids)
    seq = await repository.next_seq(session)
    when = clock.now()
    release_id = f"{process.ocid}-{seq:06d}"
    data = builder.release(
        process, vendors, buyer_name=settings.buyer_name, release_id=release_id, tags=tags, when=when
    )
    row = OcdsRelease(seq=seq, id=release_id, ocid=process.ocid, event=event, date=when, data=data)
    await repository.add_release(session, row)
    return row


async def publish_contract(session: AsyncSession, *, contract: Contract, event: str, tags: list[str]) -> None:
    """A contract event belongs to its procurement's process, or to its own when it has none."""
    await publish(session, process_id=contract.procurement_id or contract.id, event=event, tags=tags)


async def release(session: AsyncSession, *, release_id: str) -> dict[str, Any]:
    row = await repository.get_release(session, release_id)
    if row is None:
        raise NotFound(_("OCDS release {id} not found", id=release_id))
    return row.data


async def releases_page(
    session: AsyncSession, *, prefix: str, project_code: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows, total = await repository.releases_page(
        session, prefix=prefix, project_code=project_code, limit=limit, offset=offset
    )
    return [r.data for r in rows], total


async def records_page(
    session: AsyncSession, *, prefix: str, project_code: str | None, limit: int, offset: int, release_url: Any
) -> tuple[list[dict[str, Any]], int]:
    """Records: every release of the process (linked), its compiledRelease and versionedRelease."""
    ocids, total = await repository.ocids_page(
        session, prefix=prefix, project_code=project_code, limit=limit, offset=offset
    )
    by_ocid: dict[str, list[dict[str, Any]]] = {o: [] for o in ocids}
    for row in await repository.releases_of(session, ocids):
        by_ocid[row.ocid].append(row.data)
    records = [
        {
            "ocid": o,
            "releases": [{"url": release_url(r["id"]), "date": r["date"], "tag": r["tag"]} for r in rels],
            "compiledRelease": merge.compile_releases(rels),
            "versionedRelease": merge.versioned_release(rels),
        }
        for o, rels in by_ocid.items()
    ]
    return records, total
