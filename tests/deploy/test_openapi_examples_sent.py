"""Every JSON request example of the three services' OpenAPI works when a frontend copies it: sent as it is
(with a token of every staff role, to a seeded platform), it answers 2xx, or a 4xx the operation documents
for a state the example cannot know (404, 409, 412) — never 401/403 (the token is right), 422 (the
example would be wrong) or 5xx. Every `sort` example of a list is accepted by that list.

The services are real uvicorn processes over a database of their own with the demo seed (contracts,
energy accounting, appraisal), calling each other as in production. Path ids come from what the walk
itself created (the POST to the collection a path id names) or from the demo data; ids inside a body (a
survey template, a checklist, a room, an invited provider or schedule) are the demo records' stable ids
(`houqin_common.demo.demo_id`), so the example works as it is copied, with no substitution.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from houqin_common.auth import Role
from houqin_common.demo import VENDORS
from support import LiveServices, create_test_database, drop_test_database

HERE = Path(__file__).resolve().parent
METHODS = ("post", "put", "patch")
#: refusals a valid example may meet in a state it cannot know (an id the walk could not create, a
#: duplicate of a seeded row, a transition the current state does not allow, a stale version)
STATE_REFUSALS = {"404", "409", "412", "429"}
#: path parameters that name demo data, not something the walk creates
FIXED = {
    "vendor_id": VENDORS[2].id,
    "code": "security",
    "project_code": "security",
    "period": "2026",
    "year": "2026",
    "building": "A座",
    "valid_from": "2026-01-01",
    "indicator": "comprehensive_energy_kgce",
    "platform": "conference_centre",
    "tariff_id": "sample-electricity-2026",
}
#: the services' clock: the examples are dated in 2026 (a hazard found in May, a deadline in June), as a
#: frontend team reading them then would copy them; the walk does not depend on the day it runs
CLOCK = {"HOUQIN_CLOCK_AT": "2026-06-01T09:00:00+08:00", "HOUQIN_CLOCK_OFFSET_S": ""}
#: examples whose state the walk sets up itself (demo records named by their stable ids in the body, and the
#: steps after what the walk created): each must do what it shows (2xx), since a documented 404 or 409 would
#: hide an id the seed no longer creates or a step the example no longer fits
MUST_SUCCEED = (
    "contracts: POST /v1/procurements/{procurement_id}/bids",
    "contracts: POST /v1/procurements/{procurement_id}/bids/{bid_id}/scores",
    "contracts: POST /v1/procurements/{procurement_id}/award",
    "appraisal: POST /v1/campaigns",
    "appraisal: POST /v1/campaigns/{campaign_id}/responses",
    "appraisal: POST /v1/routine-inspections",
    "appraisal: POST /v1/conference/bookings",
    "appraisal: PUT /v1/conference/bookings/{booking_id}/feedback",
    "appraisal: POST /v1/invited/schedules",
    "appraisal: POST /v1/invited/sessions",
    "appraisal: POST /v1/invited/sessions/{session_id}/ratings",
    "appraisal: POST /v1/hazards/alarms/{alarm_id}/cleared",
    "appraisal: POST /v1/hazards/{hazard_id}/transitions",
    "appraisal: POST /v1/rectifications/{order_id}/transitions",
)
SERVICES = {"contracts": "contracts-api", "telemetry": "telemetry-ingest", "appraisal": "appraisal"}


async def _seed(url: str) -> None:
    from appraisal.seed import seed as seed_appraisal
    from contracts_api.seed import seed as seed_contracts
    from houqin_common.db import create_engine, make_sessionmaker
    from telemetry_ingest.seed import load as load_energy

    await seed_contracts(url)
    engine = create_engine(url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load_energy(session)
    finally:
        await engine.dispose()
    await seed_appraisal(url)


@pytest.fixture(scope="module")
def platform(pg_admin_url: str, test_env: dict[str, str]) -> Iterator[LiveServices]:
    url = create_test_database(pg_admin_url)
    services = LiveServices({**test_env, "HOUQIN_DATABASE_URL": url})
    try:
        # seeded on the services' clock too, in a process of its own (this one's clock is already set)
        seeding = subprocess.run(
            [sys.executable, "-c", f"import asyncio, test_openapi_examples_sent as t; asyncio.run(t._seed({url!r}))"],
            env=services.process_env({**CLOCK, "PYTHONPATH": f"{HERE}:{HERE.parent}"}),
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert seeding.returncode == 0, seeding.stderr[-3000:]
        for name in SERVICES:
            services.start(name, CLOCK, ready_timeout_s=240)
        yield services
    finally:
        services.stop_all()
        drop_test_database(pg_admin_url, url)


def _example(document: dict[str, Any], media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    if media.get("examples"):
        return next(iter(media["examples"].values()))["value"]
    return _schema_example(document, media.get("schema", {}))


def _schema_example(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The body schema's own example, through $ref and the branches of an optional body."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if schema.get("examples"):
        return schema["examples"][0]
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        if branch.get("type") != "null":
            return _schema_example(document, branch)
    raise AssertionError(f"no example in {schema}")


def _collection(path: str, param: str) -> str:
    """`/v1/procurements/{procurement_id}/bids/{bid_id}`, `bid_id` -> `/v1/procurements/{procurement_id}/bids`."""
    return path[: path.index("{" + param + "}")].rstrip("/")


def first_id(client: httpx.Client, collection: str) -> str | None:
    """The id of the first record a list answers (a seeded one), as the crawl takes its path ids."""
    answer = client.get(collection, params={"limit": 1})
    if answer.status_code != 200:
        return None
    body = answer.json()
    items = body.get("items", []) if isinstance(body, dict) else body
    return str(items[0]["id"]) if items and isinstance(items[0], dict) and "id" in items[0] else None


def _answer_schema(operation: dict[str, Any] | None, code: str) -> str | None:
    """The component an operation answers with ``code`` (`OrderRead`), if it names one."""
    responses = (operation or {}).get("responses", {})
    schema = responses.get(code, {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    return str(ref).rsplit("/", 1)[1] if ref else None


def json_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            media = (operation or {}).get("requestBody", {}).get("content", {}).get("application/json")
            if operation is not None and media is not None:
                yield path, method, operation, media


def send_every_example(services: LiveServices, token: str) -> tuple[int, list[str], dict[str, int], dict[str, str]]:
    """Each example sent once in document order; one refused for a state the walk had not reached yet
    (a vehicle whose parking geofence is created further down) is sent again after the others. Answers the
    examples sent, the wrong ones, the count of each status and the last status of each operation."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    created: dict[tuple[str, str], str] = {}  # (service, collection path) -> id of what the walk created
    # (service, collection path) -> the example the walk sent there: an id the client names itself (the
    # alarm id of an alarm reported) is the path id of what follows (`/alarms/{alarm_id}/cleared`)
    sent_bodies: dict[tuple[str, str], dict[str, Any]] = {}
    # (service, component) -> id of what the walk created, whatever path made it: the order a finding
    # opens (`POST /findings` answers an `OrderRead`) is the `{order_id}` of `/rectifications/{order_id}`
    created_as: dict[tuple[str, str], str] = {}
    outcome: dict[str, str] = {}
    statuses: dict[str, int] = {}
    answered: dict[str, str] = {}
    clients = {name: httpx.Client(base_url=url, headers=headers, timeout=60) for name, url in services.urls.items()}
    documents = {name: clients[name].get("/openapi.json").json() for name in SERVICES}
    try:
        for attempt in range(2):
            for name, document in documents.items():
                client = clients[name]
                for path, method, operation, media in json_operations(document):
                    where = f"{name}: {method.upper()} {path}"
                    if attempt and outcome.get(where) == "":
                        continue
                    resource = path[: path.rindex("}") + 1] if "}" in path else path
                    missing = []
                    for param in re.findall(r"{(\w+)}", path):
                        collection = _collection(resource, param)
                        named = sent_bodies.get((name, _collection(path, param)), {}).get(param)
                        value = named if isinstance(named, str) else None
                        value = value or created.get((name, _collection(path, param)))
                        item = document["paths"].get(path[: path.index("{" + param + "}") + len(param) + 2], {})
                        kind = _answer_schema(item.get("get"), "200")
                        value = value or (created_as.get((name, kind)) if kind else None) or FIXED.get(param)
                        value = value or first_id(client, collection)
                        if value is None:
                            missing.append(param)
                        else:
                            resource = resource.replace("{" + param + "}", value)
                    if missing:
                        outcome[where] = f"no value for {missing}"
                        continue
                    url = resource + (path[path.rindex("}") + 1 :] if "}" in path else "")
                    extra: dict[str, str] = {}
                    documented = set(operation["responses"])
                    if "428" in documented:
                        # a conditional write: the version the client last read, as it would send it
                        etag = client.get(resource).headers.get("ETag")
                        if etag:
                            extra["If-Match"] = etag
                    body_sent = _example(document, media)
                    response = client.request(method, url, json=body_sent, headers=extra)
                    code = str(response.status_code)
                    answered[where] = code
                    if code.startswith("2"):
                        outcome[where] = ""
                        body = response.json()
                        if isinstance(body, dict) and isinstance(body.get("id"), str | int) and method == "post":
                            created[(name, path)] = str(body["id"])
                            kind = _answer_schema(operation, code)
                            if kind:
                                created_as[(name, kind)] = str(body["id"])
                        if isinstance(body_sent, dict) and method == "post":
                            sent_bodies[(name, path)] = body_sent
                    elif code in documented and code in STATE_REFUSALS:
                        outcome[where] = ""
                    else:
                        outcome[where] = f"{code} {response.text[:300]}"
                    if attempt == 0 or outcome[where] == "":
                        statuses[code] = statuses.get(code, 0) + 1
    finally:
        for client in clients.values():
            client.close()
    wrong = [f"{where}: {why}" for where, why in outcome.items() if why]
    return len(outcome), wrong, statuses, answered


def test_every_request_example_is_accepted_when_sent(platform: LiveServices, make_token) -> None:
    token = make_token(*[r for r in Role if r is not Role.vendor], subject="frontend")
    sent, wrong, statuses, answered = send_every_example(platform, token)
    assert sent >= 60, statuses
    assert wrong == [], "\n".join(wrong)
    refused = {where: answered.get(where) for where in MUST_SUCCEED if answered.get(where) not in ("200", "201")}
    assert refused == {}, refused
    # most examples do what they show, not only a documented refusal (60 of 79 when written)
    assert statuses.get("200", 0) + statuses.get("201", 0) >= sent * 0.7, statuses


def test_a_broken_example_is_refused_when_sent(platform: LiveServices, make_token) -> None:
    """Positive control: the vendor example without its credit code is a 422, which the walk above reports."""
    token = make_token(Role.admin)
    with httpx.Client(base_url=platform.urls["contracts"], headers={"Authorization": f"Bearer {token}"}) as client:
        document = client.get("/openapi.json").json()
        example = dict(
            _example(document, document["paths"]["/v1/vendors"]["post"]["requestBody"]["content"]["application/json"])
        )
        del example["credit_code"]
        assert client.post("/v1/vendors", json=example).status_code == 422


def test_an_example_naming_a_missing_demo_record_is_refused(platform: LiveServices, make_token) -> None:
    """Positive control of MUST_SUCCEED: the invited-session example with a schedule id the seed did not make
    answers a documented 404, which the walk alone would let pass; with its own id it is not a 404."""
    token = make_token(*[r for r in Role if r is not Role.vendor], subject="frontend-control")
    with httpx.Client(base_url=platform.urls["appraisal"], headers={"Authorization": f"Bearer {token}"}) as client:
        document = client.get("/openapi.json").json()
        operation = document["paths"]["/v1/invited/sessions"]["post"]
        example = dict(_example(document, operation["requestBody"]["content"]["application/json"]))
        assert "404" in operation["responses"]
        stray = {**example, "schedule_id": str(uuid.uuid4())}
        assert client.post("/v1/invited/sessions", json=stray).status_code == 404
        # the walk recorded this occurrence already (409), or this test runs alone (201)
        assert client.post("/v1/invited/sessions", json=example).status_code in (201, 409)


def test_every_sort_example_is_accepted_by_its_list(platform: LiveServices, make_token) -> None:
    """Each list documents a `sort` it accepts; an unknown field is refused (so the list does sort)."""
    token = make_token(*[r for r in Role if r is not Role.vendor], subject="frontend")
    checked, wrong = 0, []
    for name in SERVICES:
        with httpx.Client(base_url=platform.urls[name], headers={"Authorization": f"Bearer {token}"}) as client:
            document = client.get("/openapi.json").json()
            for path, item in document["paths"].items():
                operation = item.get("get", {})
                sort = next((p for p in operation.get("parameters", []) if p["name"] == "sort"), None)
                if sort is None:
                    continue
                examples = sort["schema"].get("examples") or [
                    e for b in sort["schema"].get("anyOf", []) for e in b.get("examples", [])
                ]
                url = path
                for param in re.findall(r"{(\w+)}", path):
                    value = FIXED.get(param)
                    if value is None:  # an id: the first of the list it belongs to
                        listing = client.get(_collection(path, param), params={"limit": 1}).json()
                        value = str(listing["items"][0]["id"])
                    url = url.replace("{" + param + "}", value)
                if not examples:
                    wrong.append(f"{name}: {path}: no sort example")
                    continue
                for example in examples:
                    checked += 1
                    answer = client.get(url, params={"sort": example})
                    if answer.status_code != 200:
                        wrong.append(f"{name}: {path}?sort={example}: {answer.status_code}")
                refused = client.get(url, params={"sort": "no_such_field"})
                if refused.status_code != 422:
                    wrong.append(f"{name}: {path}: an unknown sort field answers {refused.status_code}, not 422")
    assert checked >= 20
    assert wrong == [], "\n".join(wrong)
