"""OCDS output validated against the official 1.1.5 schemas in ../shared/ocds-1.1.5 (never copied here)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from houqin_common import clock

pytestmark = pytest.mark.asyncio(loop_scope="session")

RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
VERSIONED_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"


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
    versioned = json.loads((folder / "versioned-release-validation-schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resources(
        [
            (RELEASE_SCHEMA_URL, Resource.from_contents(release)),
            (VERSIONED_SCHEMA_URL, Resource.from_contents(versioned)),
        ]
    )
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
    by_ocid = {rel["ocid"]: rel for rel in package["releases"]}  # the latest release of each process
    pc = by_ocid[procurement["ocid"]]
    assert pc["tender"]["procurementMethod"] == "limited" and pc["tag"] == ["award", "contract"]
    assert pc["tender"]["numberOfTenderers"] == 3 and len(pc["tender"]["tenderers"]) == 3
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


async def test_seeded_awarded_tenders_name_their_tenderers(api) -> None:
    from contracts_api.seed import _id as seed_id

    package = (await api.client.get("/v1/ocds/releases?project_code=catering", headers=api.auditor)).json()
    first = next(r for r in package["releases"] if r["ocid"].endswith(seed_id("procurement", "catering", 2025)))
    assert first["tender"]["procurementMethod"] == "open" and "awards" in first
    tenderers = {t["id"] for t in first["tender"]["tenderers"]}
    assert first["tender"]["numberOfTenderers"] == 3 and len(tenderers) == 3
    assert {s["id"] for s in first["awards"][0]["suppliers"]} <= tenderers  # the winner bid too


async def test_a_release_is_written_in_its_declared_language_whoever_caused_it(api) -> None:
    english = {**api.procurement, "Accept-Language": "en"}
    p = await api.client.post(
        "/v1/procurements", json={"project_code": "laundry", "estimated_value": "42000"}, headers=english
    )
    assert p.status_code == 201, p.text
    assert "price comparison" in " ".join(p.json()["reasons"]).lower()  # the API answers its reader in English
    package = (await api.client.get("/v1/ocds/releases?limit=500", headers=english)).json()
    mine = next(r for r in package["releases"] if r["ocid"] == p.json()["ocid"])
    assert mine["language"] == "zh"
    rationale = mine["tender"]["procurementMethodRationale"]
    assert "比价" in rationale and "price comparison" not in rationale.lower(), rationale


async def test_record_package_is_valid_ocds_1_1(api) -> None:
    await awarded_renewal_chain(api)
    r = await api.client.get("/v1/ocds/records?limit=100", headers=api.auditor)
    package = r.json()
    assert errors("record-package-schema.json", package) == []
    record = package["records"][0]
    assert record["compiledRelease"]["ocid"] == record["ocid"] and record["releases"][0]["url"].startswith("http")
    assert "versionedRelease" in record


async def test_an_invalid_package_is_caught_by_the_validator(api) -> None:
    package = (await api.client.get("/v1/ocds/releases?limit=5", headers=api.auditor)).json()
    package["releases"][0]["tender"]["procurementMethod"] = "auction"
    del package["publisher"]
    assert len(errors("release-package-schema.json", package)) >= 2


async def test_a_contract_lifecycle_publishes_one_resolvable_release_per_event(api) -> None:
    """tender → 3 bids → award (+ contract) → legal review → expert review → approved → signed → active:
    one release per event, none rewritten, every id unique and resolvable, the compiled record equal to
    the latest state."""
    vendors = [await api.vendor(f"OCDS生命周期{i}") for i in range(3)]
    p = (
        await api.client.post(
            "/v1/procurements",
            json={"project_code": "security", "estimated_value": "900000"},
            headers=api.procurement,
        )
    ).json()
    assert p["route"] == "open_tender" and p["evaluation_method"] == "comprehensive"
    events = 1
    for v, amount in zip(vendors, ("880000", "860000", "890000"), strict=True):
        r = await api.client.post(
            f"/v1/procurements/{p['id']}/bids", json={"vendor_id": v["id"], "amount": amount}, headers=api.procurement
        )
        assert r.status_code == 201, r.text
        events += 1
        await api.client.post(
            f"/v1/procurements/{p['id']}/bids/{r.json()['id']}/scores",
            json={"components": {"technical": 80, "service": 85}},
            headers=api.reviewer,
        )
    award = await api.client.post(
        f"/v1/procurements/{p['id']}/award",
        # starting today: activating it needs no early start
        json={"start_date": clock.today().isoformat(), "end_date": (clock.today() + timedelta(days=364)).isoformat()},
        headers=api.procurement,
    )
    assert award.status_code == 201, award.text
    events += 1
    contract_id = award.json()["id"]
    assert (await api.move(contract_id, "legal_review")).status_code == 200
    assert (await api.review(contract_id, "legal")).status_code in (200, 201)
    assert (await api.review(contract_id, "expert")).status_code in (200, 201)
    assert (await api.move(contract_id, "signed")).status_code == 200
    assert (await api.move(contract_id, "active")).status_code == 200
    events += 5

    releases = (await api.client.get("/v1/ocds/releases?limit=500", headers=api.auditor)).json()["releases"]
    mine = [r for r in releases if r["ocid"] == p["ocid"]]
    assert len(mine) == events
    ids = [r["id"] for r in mine]
    assert len(set(ids)) == len(ids)
    assert [r["tag"] for r in mine][:2] == [["tender"], ["tenderUpdate"]]
    assert mine[4]["tag"] == ["award", "contract"] and mine[-1]["tag"] == ["implementation"]
    for rid in ids:
        one = await api.client.get(f"/v1/ocds/releases/{rid}", headers=api.auditor)
        assert one.status_code == 200 and one.json()["releases"][0]["id"] == rid
    # the earlier releases are unchanged: the first still shows the tender with no tenderers
    assert "tenderers" not in mine[0]["tender"] and "awards" not in mine[0]
    missing = await api.client.get("/v1/ocds/releases/no-such-release", headers=api.auditor)
    assert missing.status_code == 404

    records = (await api.client.get("/v1/ocds/records?limit=500", headers=api.auditor)).json()
    assert errors("record-package-schema.json", records) == []
    record = next(r for r in records["records"] if r["ocid"] == p["ocid"])
    assert [link["url"].rsplit("/", 1)[-1] for link in record["releases"]] == ids
    latest = {k: v for k, v in mine[-1].items() if k not in ("id", "date", "tag")}
    compiled = {k: v for k, v in record["compiledRelease"].items() if k not in ("id", "date", "tag")}
    assert compiled == latest and record["compiledRelease"]["tag"] == ["compiled"]
    assert compiled["contracts"][0]["status"] == "active"
    # the contract runs from its first office day's 00:00 to the end of its last, Beijing time
    start, end = clock.today(), clock.today() + timedelta(days=364)
    period = {"startDate": f"{start}T00:00:00+08:00", "endDate": f"{end}T23:59:59+08:00"}
    assert compiled["contracts"][0]["period"] == period and compiled["awards"][0]["contractPeriod"] == period
    status_versions = record["versionedRelease"]["contracts"][0]["status"]
    assert [v["value"] for v in status_versions] == ["pending", "active"]
    assert status_versions[-1]["releaseID"] == ids[-2]  # became active (OCDS) when signed


def test_merge_follows_the_ocds_rules() -> None:
    from contracts_api.ocds.merge import compile_releases, versioned_release

    r1 = {
        "ocid": "o",
        "id": "o-1",
        "date": "2027-01-01T00:00:00+00:00",
        "tag": ["tender"],
        "tender": {"id": "t", "title": "A", "items": [{"id": "1", "description": "x"}]},
    }
    r2 = {
        "ocid": "o",
        "id": "o-2",
        "date": "2027-01-02T00:00:00+00:00",
        "tag": ["tenderUpdate"],
        "tender": {"title": "B", "items": [{"id": "2", "description": "y"}], "description": None},
    }
    compiled = compile_releases([r2, r1])
    assert compiled["tender"]["title"] == "B" and [i["id"] for i in compiled["tender"]["items"]] == ["1", "2"]
    assert (
        compiled["tag"] == ["compiled"] and compiled["date"] == r2["date"] and "description" not in compiled["tender"]
    )
    versioned = versioned_release([r1, r2])
    assert [v["value"] for v in versioned["tender"]["title"]] == ["A", "B"]
    assert (
        versioned["tender"]["items"][0]["id"] == "1"
        and versioned["tender"]["items"][1]["description"][0]["releaseID"] == "o-2"
    )


def documented(api_doc: dict[str, Any], path: str) -> jsonschema.Draft202012Validator:
    """A validator of the 200 body the OpenAPI document promises for ``path`` (its components resolved)."""
    schema = api_doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    root = {**schema, "components": api_doc["components"]}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


async def test_the_documented_package_shapes_match_what_is_served(api) -> None:
    """The OpenAPI document types the OCDS packages (not a bare object), and the served packages fit it."""
    await awarded_renewal_chain(api)
    api_doc = (await api.client.get("/openapi.json")).json()
    for path, kind, package_schema in (
        ("/v1/ocds/releases", "releases", "release-package-schema.json"),
        ("/v1/ocds/records", "records", "record-package-schema.json"),
    ):
        check = documented(api_doc, path)
        assert check.schema["$ref"].endswith("Package")
        served = (await api.client.get(f"{path}?limit=100", headers=api.auditor)).json()
        assert served[kind]
        assert [e.message for e in check.iter_errors(served)] == []
        # the documented example is itself a valid OCDS 1.1.5 package, and fits the documented shape
        (example,) = api_doc["components"]["schemas"][check.schema["$ref"].rsplit("/", 1)[1]]["examples"]
        assert errors(package_schema, example) == []
        assert [e.message for e in check.iter_errors(example)] == []
        # positive control: a release package without its releases' tender fails the documented shape
        broken = json.loads(json.dumps(served))
        del broken[kind][0]["ocid"]
        assert list(check.iter_errors(broken))
