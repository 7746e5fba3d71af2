"""OCDS 1.1 release and record packages from contracting processes (pure functions, no I/O).

One procurement is one contracting process (``ocid = <prefix>-<procurement id>``); a contract
registered without a procurement is its own process (``<prefix>-<contract id>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from contracts_api.models import Contract, Procurement, Project, Vendor
from houqin_common import clock

PROCUREMENT_METHOD = {
    "open_tender": ("open", "公开招标 (open tender)"),
    "designated_tender": ("selective", "定点招投标 (designated-supplier tender)"),
    "price_comparison": ("limited", "比价 (price comparison)"),
    "single_source": ("direct", "单一来源 (single-source renewal)"),
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
VERSION = "1.1"


@dataclass
class Process:
    ocid: str
    project: Project | None
    procurement: Procurement | None
    contracts: list[Contract] = field(default_factory=list)
    prior_ocid: str | None = None


def _value(amount: Decimal | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": float(amount), "currency": "CNY"}


def _dt(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return datetime.combine(value, time(0, 0), tzinfo=UTC).isoformat()


def _party(vendor: Vendor) -> dict[str, Any]:
    return {
        "id": f"CN-USCC-{vendor.credit_code}",
        "name": vendor.name,
        "identifier": {"scheme": "CN-USCC", "id": vendor.credit_code, "legalName": vendor.name},
        "roles": ["supplier"],
    }


def release(process: Process, vendors: dict[str, Vendor], *, buyer_name: str) -> dict[str, Any]:
    """The compiled current state of one process as a release."""
    p, contracts = process.procurement, process.contracts
    route = p.route if p else (contracts[0].route if contracts else None)
    method, details = PROCUREMENT_METHOD.get(route or "", (None, None))
    buyer = {"id": BUYER_ID, "name": buyer_name}
    parties: dict[str, dict[str, Any]] = {BUYER_ID: {**buyer, "roles": ["buyer", "procuringEntity"]}}
    title = p.title if p else (contracts[0].title if contracts else process.ocid)
    tender: dict[str, Any] = {"id": f"{process.ocid}-tender", "title": title, "procuringEntity": buyer}
    if process.project is not None:
        tender["description"] = f"{process.project.name_zh} ({process.project.name})"
        tender["items"] = [{"id": "1", "description": process.project.name_zh, "quantity": 1}]
    if method:
        tender["procurementMethod"] = method
        tender["procurementMethodDetails"] = details
    if p is not None:
        tender["status"] = TENDER_STATUS.get(p.status, "active")
        tender["value"] = _value(p.estimated_value)
        tender["procurementMethodRationale"] = "; ".join(p.reasons)
    tags = ["tender"]
    awards: list[dict[str, Any]] = []
    ocds_contracts: list[dict[str, Any]] = []
    for c in contracts:
        vendor = vendors.get(c.vendor_id)
        supplier = _party(vendor) if vendor else {"id": c.vendor_id, "name": c.vendor_id, "roles": ["supplier"]}
        supplier_id = str(supplier["id"])
        parties.setdefault(supplier_id, supplier)
        award_id = f"{c.id}-award"
        awards.append(
            {
                "id": award_id,
                "status": "active",
                "date": _dt(p.awarded_at if p and p.awarded_at else c.created_at),
                "value": _value(c.value),
                "suppliers": [{"id": supplier_id, "name": supplier["name"]}],
                "contractPeriod": {"startDate": _dt(c.start_date), "endDate": _dt(c.end_date)},
            }
        )
        ocds_contracts.append(
            {
                "id": c.id,
                "awardID": award_id,
                "title": c.title,
                "status": CONTRACT_STATUS.get(c.status, "pending"),
                "value": _value(c.value),
                "period": {"startDate": _dt(c.start_date), "endDate": _dt(c.end_date)},
            }
        )
    if awards:
        tags.append("award")
    if any(c["status"] != "pending" for c in ocds_contracts):
        tags.append("contract")
    stamps = [p.updated_at] if p else []
    stamps += [c.updated_at for c in contracts]
    when = max(stamps) if stamps else clock.now()
    out: dict[str, Any] = {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{int(when.timestamp())}",
        "date": _dt(when),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
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
                "title": "the contracting process this single-source renewal renews",
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
    releases: list[dict[str, Any]], *, uri: str, release_uri: str, publisher: str, published: datetime
) -> dict[str, Any]:
    records = [
        {
            "ocid": r["ocid"],
            "releases": [{"url": f"{release_uri}#{r['id']}", "date": r["date"], "tag": r["tag"]}],
            "compiledRelease": {**r, "tag": ["compiled"]},
        }
        for r in releases
    ]
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _dt(published),
        "publisher": {"name": publisher},
        "packages": [release_uri],
        "records": records,
    }
