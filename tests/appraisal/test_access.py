"""The access matrix of the issue: every role against every kind of operation (403 or not)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from appraisal_testkit import World
from houqin_common.auth import Role
from support import auth

R = Role
READ_ALL = {R.admin, R.auditor, R.service}
VENDOR_ID = str(uuid.uuid4())
HAZARD_READERS = {R.supervisor, R.fire_control, R.inspector, R.vendor} | READ_ALL
CONFERENCE_READERS = {R.supervisor, R.staff, R.vendor} | READ_ALL

#: (method, path, json body, roles allowed). Bodies are empty on purpose: an allowed role gets 422 (or a
#: 2xx/404), a refused one 403 before the body is looked at.
MATRIX: list[tuple[str, str, Any, set[Role]]] = [
    ("POST", "/v1/service-items", {}, {R.supervisor, R.admin}),
    ("GET", "/v1/service-items", None, {R.supervisor, R.inspector, R.staff} | READ_ALL),
    ("POST", "/v1/survey-templates", {}, {R.supervisor, R.admin}),
    ("POST", "/v1/assignments", {}, {R.supervisor, R.admin}),
    ("POST", "/v1/campaigns", {}, {R.supervisor, R.admin}),
    ("GET", "/v1/campaigns", None, {R.supervisor, R.inspector, R.staff} | READ_ALL),
    ("POST", "/v1/campaigns/{campaign}/invitations", {}, {R.supervisor, R.admin}),
    ("GET", "/v1/campaigns/{campaign}/response-rate", None, {R.supervisor} | READ_ALL),
    ("GET", "/v1/campaigns/{campaign}/results", None, {R.supervisor} | READ_ALL),
    ("POST", "/v1/campaigns/{campaign}/responses", {}, {R.staff, R.admin}),
    ("POST", "/v1/checklists", {}, {R.supervisor, R.inspector, R.admin}),
    ("POST", "/v1/routine-inspections", {}, {R.supervisor, R.inspector, R.admin}),
    ("GET", "/v1/routine-inspections", None, {R.supervisor, R.inspector, R.vendor} | READ_ALL),
    ("POST", "/v1/food-safety-inspections", {}, {R.inspector, R.admin}),
    ("GET", "/v1/food-safety-inspections", None, {R.supervisor, R.inspector, R.vendor} | READ_ALL),
    ("POST", "/v1/findings", {}, {R.supervisor, R.inspector, R.admin}),
    ("GET", "/v1/rectifications", None, {R.supervisor, R.inspector, R.vendor} | READ_ALL),
    ("POST", "/v1/rectifications/{missing}/transitions", {}, {R.vendor, R.supervisor, R.inspector, R.admin}),
    ("POST", "/v1/complaints", {}, {R.staff, R.supervisor, R.admin}),
    ("GET", "/v1/complaints", None, {R.supervisor, R.vendor, R.staff} | READ_ALL),
    ("POST", "/v1/complaints/{missing}/close", {}, {R.supervisor, R.admin}),
    # the public feedback channel: every role (and no token at all, below) may use it
    ("POST", "/v1/feedback", {}, set(Role)),
    ("GET", "/v1/scores?period=2099", None, {R.supervisor, R.inspector, R.procurement, R.vendor} | READ_ALL),
    ("GET", "/v1/scores/{vendor}?period=2099", None, {R.supervisor, R.inspector, R.procurement, R.vendor} | READ_ALL),
    ("POST", "/v1/awards/2099/evaluate", None, {R.supervisor, R.admin}),
    ("GET", "/v1/awards", None, {R.supervisor, R.vendor} | READ_ALL),
    ("POST", "/v1/service-stars", {}, {R.supervisor, R.admin}),
    ("GET", "/v1/reports/years/2099?format=csv", None, {R.supervisor} | READ_ALL),
    ("GET", "/v1/reports/periods/2099H2?format=csv", None, {R.supervisor} | READ_ALL),
    ("GET", "/v1/reports/campaigns/{campaign}?format=csv", None, {R.supervisor} | READ_ALL),
    # issue 26: the hazard register (supervisors and the fire-control centre manage; a vendor its own)
    ("POST", "/v1/hazards", {}, {R.supervisor, R.fire_control, R.admin}),
    ("GET", "/v1/hazards", None, HAZARD_READERS),
    ("GET", "/v1/hazards/overdue", None, HAZARD_READERS),
    ("GET", "/v1/hazards/stats/2099", None, {R.supervisor, R.fire_control} | READ_ALL),
    ("GET", "/v1/hazards/{missing}", None, HAZARD_READERS),
    ("POST", "/v1/hazards/{missing}/transitions", {}, {R.supervisor, R.fire_control, R.vendor, R.admin}),
    ("POST", "/v1/hazards/{missing}/attachments", {}, {R.supervisor, R.fire_control, R.vendor, R.admin}),
    ("POST", "/v1/hazards/alarms", {}, {R.service, R.fire_control, R.supervisor, R.admin}),
    ("POST", "/v1/hazards/alarms/{missing}/cleared", {}, {R.service, R.fire_control, R.supervisor, R.admin}),
    # issue 26: the conference centre (departments book and grade their own meetings)
    ("POST", "/v1/conference/rooms", {}, {R.supervisor, R.admin}),
    ("GET", "/v1/conference/rooms", None, CONFERENCE_READERS),
    ("POST", "/v1/conference/bookings", {}, {R.staff, R.supervisor, R.admin}),
    ("GET", "/v1/conference/bookings", None, CONFERENCE_READERS),
    ("GET", "/v1/conference/bookings/{missing}", None, CONFERENCE_READERS),
    ("POST", "/v1/conference/bookings/{missing}/cancel", None, {R.staff, R.supervisor, R.admin}),
    ("POST", "/v1/conference/bookings/{missing}/attendance", {}, {R.supervisor, R.vendor, R.admin}),
    ("PUT", "/v1/conference/bookings/{missing}/service-record", {}, {R.vendor, R.supervisor, R.admin}),
    ("PUT", "/v1/conference/bookings/{missing}/feedback", {}, {R.staff, R.admin}),
    ("GET", "/v1/conference/figures/2099", None, {R.supervisor} | READ_ALL),
    # issue 27: the canteen (the management office records, the catering vendor reads its own settlements)
    ("POST", "/v1/canteen/purchases", {}, {R.office, R.admin}),
    ("GET", "/v1/canteen/purchases?month=2099-01", None, {R.office, R.supervisor} | READ_ALL),
    ("POST", "/v1/canteen/covers", {}, {R.office, R.admin}),
    ("GET", "/v1/canteen/covers?month=2099-01", None, {R.office, R.supervisor} | READ_ALL),
    ("GET", "/v1/canteen/overview?start=2099-01-01&end=2099-02-01", None, {R.office, R.supervisor} | READ_ALL),
    ("POST", "/v1/canteen/settlements", {}, {R.office, R.admin}),
    ("GET", "/v1/canteen/settlements", None, {R.office, R.supervisor, R.vendor} | READ_ALL),
    ("GET", "/v1/canteen/settlements/{missing}", None, {R.office, R.supervisor, R.vendor} | READ_ALL),
    ("POST", "/v1/canteen/settlements/{missing}/sign-off", None, {R.office, R.admin}),
    ("POST", "/v1/canteen/settlements/{missing}/corrections", {}, {R.office, R.admin}),
    ("GET", "/v1/canteen/settlements/{missing}/statement", None, {R.office, R.supervisor, R.vendor} | READ_ALL),
    # standards, guidance and training
    ("POST", "/v1/regulations", {}, {R.supervisor, R.office, R.admin}),
    (
        "GET",
        "/v1/regulations",
        None,
        {R.supervisor, R.office, R.vendor, R.inspector, R.staff} | READ_ALL,
    ),
    ("POST", "/v1/guidance-plans", {}, {R.supervisor, R.office, R.admin}),
    ("GET", "/v1/guidance-plans", None, {R.supervisor, R.office, R.vendor} | READ_ALL),
    ("POST", "/v1/guidance-plans/{missing}/visits", {}, {R.supervisor, R.office, R.admin}),
    ("GET", "/v1/guidance-visits", None, {R.supervisor, R.office, R.vendor} | READ_ALL),
    ("POST", "/v1/trainings", {}, {R.supervisor, R.office, R.admin}),
    ("GET", "/v1/trainings", None, {R.supervisor, R.office, R.vendor} | READ_ALL),
    ("PUT", "/v1/trainings/{missing}/attendance", {}, {R.supervisor, R.office, R.admin}),
    (
        "GET",
        "/v1/guidance/vendors/{vendor}?year=2099",
        None,
        {R.supervisor, R.office, R.vendor, R.inspector} | READ_ALL,
    ),
    # invited services: the calendar is for staff too; ratings are the staff's
    ("POST", "/v1/invited/providers", {}, {R.office, R.supervisor, R.admin}),
    ("GET", "/v1/invited/providers", None, {R.office, R.supervisor, R.staff, R.inspector} | READ_ALL),
    ("POST", "/v1/invited/schedules", {}, {R.office, R.supervisor, R.admin}),
    (
        "GET",
        "/v1/invited/calendar?start=2099-01-01&end=2099-02-01",
        None,
        {R.office, R.supervisor, R.staff, R.inspector} | READ_ALL,
    ),
    ("POST", "/v1/invited/sessions", {}, {R.office, R.supervisor, R.admin}),
    ("POST", "/v1/invited/sessions/{missing}/ratings", {}, {R.staff, R.admin}),
    ("GET", "/v1/invited/flags?start=2099-01-01&end=2100-01-01", None, {R.office, R.supervisor} | READ_ALL),
    # the savings ledger
    ("PUT", "/v1/savings/projects/catering/2099", {}, {R.office, R.supervisor, R.admin}),
    ("PUT", "/v1/savings/platforms/conference_centre/2099", {}, {R.office, R.supervisor, R.admin}),
    ("GET", "/v1/savings/statements/2099", None, {R.office, R.supervisor, R.procurement} | READ_ALL),
]


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_access_matrix(role: Role, service_client: Callable[..., Any], make_token: Callable[..., str]) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build(projects=1, items_per_project=1)
    token = make_token(role, vendor_id=VENDOR_ID if role == R.vendor else None)
    wrong: list[str] = []
    for method, template, body, allowed in MATRIX:
        path = template.format(campaign=world.campaign_id, missing=uuid.uuid4(), vendor=VENDOR_ID)
        r = await client.request(method, path, json=body, headers=auth(token))
        refused = r.status_code == 403
        assert r.status_code < 500, (method, path, r.text)
        if refused == (role in allowed):
            wrong.append(f"{method} {template}: {r.status_code}")
    assert not wrong, f"{role}: {wrong}"


async def test_missing_token_is_401(service_client: Callable[..., Any]) -> None:
    client = await service_client("appraisal")
    r = await client.get("/v1/scores", params={"period": "2026"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


async def test_public_feedback_needs_no_token(service_client: Callable[..., Any]) -> None:
    client = await service_client("appraisal")
    refused = await client.post("/v1/complaints", json={})
    assert refused.status_code == 401
    r = await client.post("/v1/feedback", json={})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
