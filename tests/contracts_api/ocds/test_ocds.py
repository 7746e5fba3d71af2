"""OCDS output validated against the official 1.1.5 schemas in ../shared/ocds-1.1.5 (never copied here)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

pytestmark = pytest.mark.asyncio(loop_scope="session")

RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def schema_dir() -> Path:
    """The shared OCDS 1.1.5 schemas: $OCDS_SCHEMA_DIR, else `shared/ocds-1.1.5` beside the checkout or
    beside any folder above it (a CI clone may sit elsewhere than the workspace), else /work/shared."""
    env = os.environ.get("OCDS_SCHEMA_DIR")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[3]
    candidates = [parent / "shared" / "ocds-1.1.5" for parent in root.parents]
    candidates.append(Path("/work/shared/ocds-1.1.5"))
    for folder in candidates:
        if (folder / "release-schema.json").is_file():
            return folder
    raise FileNotFoundError(
        "the OCDS 1.1.5 schemas were not found beside the checkout; set OCDS_SCHEMA_DIR to their folder"
    )


def validator(name: str) -> jsonschema.Draft4Validator:
    folder = schema_dir()
    release = json.loads((folder / "release-schema.json").read_text(encoding="utf-8"))
    package = json.loads((folder / name).read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resource(RELEASE_SCHEMA_URL, Resource.from_contents(release))
    cls = jsonschema.validators.validator_for(package)
    return cls(package, registry=registry, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def errors(name: str, doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator(name).iter_errors(doc)]


async def awarded_renewal_chain(api) -> tuple[dict, dict]:
    """A price comparison awarded, and a tendered single-source renewal of a big contract."""
    vendors = [await api.vendor(f"OCDS{i}") for i in range(3)]
    p = (
        await api.client.post(
            "/v1/procurements", json={"project_code": "laundry", "estimated_value": "40000"}, headers=api.procurement
        )
    ).json()
    for v, amount in zip(vendors, ("39000", "38000", "37000"), strict=True):
        await api.client.post(
            f"/v1/procurements/{p['id']}/quotes", json={"vendor_id": v["id"], "amount": amount}, headers=api.procurement
        )
    award = await api.client.post(
        f"/v1/procurements/{p['id']}/award",
        json={"start_date": "2027-01-01", "end_date": "2027-12-31"},
        headers=api.procurement,
    )
    assert award.status_code == 201
    old = (await api.contract(vendors[0]["id"], start_date="2025-01-01", end_date="2025-12-31")).json()
    renewal = (
        await api.contract(
            vendors[0]["id"],
            predecessor_id=old["id"],
            route="single_source",
            start_date="2026-01-01",
            end_date="2026-12-31",
        )
    ).json()
    return p, {"old": old, "renewal": renewal}


async def test_release_package_is_valid_ocds_1_1_with_method_mapping(api) -> None:
    procurement, chain = await awarded_renewal_chain(api)
    r = await api.client.get("/v1/ocds/releases?limit=500", headers=api.auditor)
    assert r.status_code == 200
    package = r.json()
    assert errors("release-package-schema.json", package) == []
    by_ocid = {rel["ocid"]: rel for rel in package["releases"]}
    pc = by_ocid[procurement["ocid"]]
    assert pc["tender"]["procurementMethod"] == "limited" and pc["tag"] == ["tender", "award"]
    assert pc["awards"][0]["value"] == {"amount": 37000.0, "currency": "CNY"}
    assert pc["contracts"][0]["status"] == "pending"
    renewal = next(rel for rel in package["releases"] if rel["ocid"].endswith(chain["renewal"]["id"]))
    assert renewal["tender"]["procurementMethod"] == "direct"
    assert renewal["relatedProcesses"][0]["relationship"] == ["prior"]
    assert renewal["relatedProcesses"][0]["identifier"].endswith(chain["old"]["id"])
    methods = {rel["tender"].get("procurementMethod") for rel in package["releases"]}
    assert {"open", "selective", "limited", "direct"} <= methods, "the demo seed covers every route"


async def test_seeded_single_source_renewals_point_at_their_prior_process(api) -> None:
    from contracts_api.seed import _id as seed_id

    package = (await api.client.get("/v1/ocds/releases?project_code=security", headers=api.auditor)).json()
    renewal = next(r for r in package["releases"] if r["ocid"].endswith(seed_id("procurement", "security", 2026)))
    assert renewal["tender"]["procurementMethod"] == "direct"
    assert renewal["relatedProcesses"][0]["identifier"].endswith(seed_id("procurement", "security", 2025))
    assert renewal["contracts"][0]["status"] == "active" and "contract" in renewal["tag"]


async def test_record_package_is_valid_ocds_1_1(api) -> None:
    await awarded_renewal_chain(api)
    r = await api.client.get("/v1/ocds/records?limit=100", headers=api.auditor)
    package = r.json()
    assert errors("record-package-schema.json", package) == []
    record = package["records"][0]
    assert record["compiledRelease"]["ocid"] == record["ocid"] and record["releases"][0]["url"].startswith("http")


async def test_an_invalid_package_is_caught_by_the_validator(api) -> None:
    package = (await api.client.get("/v1/ocds/releases?limit=5", headers=api.auditor)).json()
    package["releases"][0]["tender"]["procurementMethod"] = "auction"
    del package["publisher"]
    assert len(errors("release-package-schema.json", package)) >= 2
