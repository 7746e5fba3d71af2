"""OCDS 1.1 release and record packages from contracting processes (pure functions, no I/O).

One procurement is one contracting process (``ocid = <prefix>-<procurement id>``); a contract
registered without a procurement is its own process (``<prefix>-<contract id>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts_api.models import Bid, Contract, Procurement, Project, Quote, Vendor
from houqin_common import clock
from houqin_common.i18n import N_, Text, _, use_locale

#: route -> (OCDS procurementMethod, procurementMethodDetails in the release's language, zh)
PROCUREMENT_METHOD = {
    "open_tender": ("open", "公开招标"),
    "designated_tender": ("selective", "定点招投标"),
    "price_comparison": ("limited", "比价采购"),
    "single_source": ("direct", "单一来源续期"),
}
CONTRACT_STATUS = {
    "draft": "pending",
    "legal_review": "pending",
    "expert_review": "pending",
    "approved": "pending",
    "signed": "active",
    "active": "active",
    "completed": "terminated",
    "terminated": "terminated",
}
TENDER_STATUS = {"open": "active", "awarded": "complete", "cancelled": "cancelled"}
BUYER_ID = "CN-GOA-BUREAU"
#: the language every release declares (``"language"``) and is written in, whoever caused it
RELEASE_LANGUAGE = "zh"
RELEASE_LOCALE = "zh_CN"
PRIOR_TITLE = N_("the contracting process this single-source renewal renews")
VERSION = "1.1"


@dataclass
class Process:
    ocid: str
    project: Project | None
    procurement: Procurement | None
    contracts: list[Contract] = field(default_factory=list)
    prior_ocid: str | None = None
    bids: list[Bid] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


def _value(amount: Decimal | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": float(amount), "currency": "CNY"}


def _dt(value: date | datetime) -> str:
    """An instant as OCDS writes it; a calendar day is the instant it begins in the office's zone (00:00
    Beijing time, ``+08:00``), not 00:00 UTC, which is 08:00 in Changzhou."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return clock.day_start(value).isoformat()


def _period(start: date, end: date) -> dict[str, str]:
    """An OCDS period of the office days ``start`` to ``end``, both included: from the first day's 00:00 to
    the last second of the last day (a contract ending on 31 December still runs that day)."""
    return {
        "startDate": _dt(start),
        "endDate": (clock.day_start(end + timedelta(days=1)) - timedelta(seconds=1)).isoformat(),
    }


def _party(vendor: Vendor, role: str = "supplier") -> dict[str, Any]:
    return {
        "id": f"CN-USCC-{vendor.credit_code}",
        "name": vendor.name,
        "identifier": {"scheme": "CN-USCC", "id": vendor.credit_code, "legalName": vendor.name},
        "roles": [role],
    }


def _vendor_party(vendor_id: str, vendors: dict[str, Vendor], role: str) -> dict[str, Any]:
    vendor = vendors.get(vendor_id)
    return _party(vendor, role) if vendor else {"id": vendor_id, "name": vendor_id, "roles": [role]}


def release(
    process: Process,
    vendors: dict[str, Vendor],
    *,
    buyer_name: str,
    release_id: str,
    tags: list[str],
    when: datetime,
) -> dict[str, Any]:
    """The state of one process after an event, as a full release (every field repeated, so that the
    releases compile to the latest state); bidders are published in core ``tender.tenderers``. Its texts
    (the route's rationale...) are written in the release's declared language, not the requester's."""
    with use_locale(RELEASE_LOCALE):
        return _release(process, vendors, buyer_name=buyer_name, release_id=release_id, tags=tags, when=when)


def _release(
    process: Process,
    vendors: dict[str, Vendor],
    *,
    buyer_name: str,
    release_id: str,
    tags: list[str],
    when: datetime,
) -> dict[str, Any]:
    """The state of one process after an event, as a full release (every field repeated, so that the
    releases compile to the latest state); bidders are published in core ``tender.tenderers``."""
    p, contracts = process.procurement, process.contracts
    route = p.route if p else (contracts[0].route if contracts else None)
    method, details = PROCUREMENT_METHOD.get(route or "", (None, None))
    buyer = {"id": BUYER_ID, "name": buyer_name}
    parties: dict[str, dict[str, Any]] = {BUYER_ID: {**buyer, "roles": ["buyer", "procuringEntity"]}}
    title = p.title if p else (contracts[0].title if contracts else process.ocid)
    tender: dict[str, Any] = {"id": f"{process.ocid}-tender", "title": title, "procuringEntity": buyer}
    if process.project is not None:
        tender["description"] = process.project.name_zh
        tender["items"] = [{"id": "1", "description": process.project.name_zh, "quantity": 1}]
    if method:
        tender["procurementMethod"] = method
        tender["procurementMethodDetails"] = details
    if p is not None:
        tender["status"] = TENDER_STATUS.get(p.status, "active")
        tender["value"] = _value(p.estimated_value)
        tender["procurementMethodRationale"] = _("; ").join(Text.shown(r) for r in p.reasons)
    for vendor_id in [b.vendor_id for b in process.bids] + [q.vendor_id for q in process.quotes]:
        party = _vendor_party(vendor_id, vendors, "tenderer")
        existing = parties.setdefault(str(party["id"]), party)
        if "tenderer" not in existing["roles"]:
            existing["roles"].append("tenderer")
        tenderers = tender.setdefault("tenderers", [])
        if all(t["id"] != party["id"] for t in tenderers):
            tenderers.append({"id": party["id"], "name": party["name"]})
    if "tenderers" in tender:
        tender["numberOfTenderers"] = len(tender["tenderers"])
    awards: list[dict[str, Any]] = []
    ocds_contracts: list[dict[str, Any]] = []
    for c in contracts:
        supplier = _vendor_party(c.vendor_id, vendors, "supplier")
        supplier_id = str(supplier["id"])
        existing = parties.setdefault(supplier_id, supplier)
        if "supplier" not in existing["roles"]:
            existing["roles"].append("supplier")
        award_id = f"{c.id}-award"
        awards.append(
            {
                "id": award_id,
                "status": "active",
                "date": _dt(p.awarded_at if p and p.awarded_at else c.created_at),
                "value": _value(c.value),
                "suppliers": [{"id": supplier_id, "name": supplier["name"]}],
                "contractPeriod": _period(c.start_date, c.end_date),
            }
        )
        ocds_contracts.append(
            {
                "id": c.id,
                "awardID": award_id,
                "title": c.title,
                "status": CONTRACT_STATUS.get(c.status, "pending"),
                "value": _value(c.value),
                "period": _period(c.start_date, c.end_date),
            }
        )
    out: dict[str, Any] = {
        "ocid": process.ocid,
        "id": release_id,
        "date": _dt(when),
        "tag": tags,
        "initiationType": "tender",
        "language": RELEASE_LANGUAGE,
        "parties": list(parties.values()),
        "buyer": buyer,
        "tender": {k: v for k, v in tender.items() if v is not None},
    }
    if awards:
        out["awards"] = awards
        out["contracts"] = ocds_contracts
    if process.prior_ocid:
        out["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": ["prior"],
                "title": _(PRIOR_TITLE),
                "scheme": "ocid",
                "identifier": process.prior_ocid,
            }
        ]
    return out


def release_package(releases: list[dict[str, Any]], *, uri: str, publisher: str, published: datetime) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _dt(published),
        "publisher": {"name": publisher},
        "releases": releases,
    }


def record_package(
    records: list[dict[str, Any]], *, uri: str, packages: list[str], publisher: str, published: datetime
) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _dt(published),
        "publisher": {"name": publisher},
        "packages": packages,
        "records": records,
    }
