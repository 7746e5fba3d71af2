"""Issue 26 end to end: a fire-alarm panel's fault published over the real broker, stored by the real consumer,
not cleared in time, opens a hazard in the live appraisal assigned to the vendor whose contract (live
contracts-api) covers fire safety; its removal is verified; the vendor's hazards component and explanation change."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from appraisal_testkit import contract_in_new_project
from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.clients import AppraisalClient
from houqin_common.db import create_engine, make_sessionmaker
from support import LiveServices, auth
from telemetry_ingest.alarms import watcher
from telemetry_ingest.analytics.config import AnalyticsSettings

#: three services, a consumer and a broker on a shared two-core machine: allow a slow start
STARTUP_S = 180


def _event(ts: datetime, zone: str, event: str, **extra: Any) -> bytes:
    return json.dumps({"ts": int(ts.timestamp() * 1000), "zone": zone, "event": event, **extra}).encode()


async def test_an_uncleared_fault_becomes_the_vendors_hazard_and_its_verified_removal_scores(
    kit: Any,
    database_url: str,
    ingest_mqtt_url: str,
    live_services: LiveServices,
    service_client: Callable[..., Any],
    make_token: Callable[..., str],
) -> None:
    now = clock.now()
    found_year = (now - timedelta(minutes=10)).astimezone(clock.office_tz()).year
    procurement = auth(make_token(Role.procurement))
    async with httpx.AsyncClient(base_url=live_services.start("contracts", timeout=STARTUP_S), timeout=30) as contracts:
        vendor_id, project, _contract = await contract_in_new_project(
            contracts, procurement, name_zh="消防设施维保", title="消防维保合同", year=found_year
        )
        # a second vendor under contract for another project: the hazard must not go to it
        await contract_in_new_project(contracts, procurement, name_zh="绿化", title="绿化合同", year=found_year)
    appraisal_url = live_services.start(
        "appraisal",
        {
            "HOUQIN_APPRAISAL_HAZARD_CATEGORY_PROJECTS": json.dumps({"fire": [project]}),
            "HOUQIN_APPRAISAL_HAZARD_CONTRACT_STATUSES": json.dumps(["draft"]),
            "HOUQIN_APPRAISAL_HAZARD_PROJECTS": json.dumps([project]),
        },
        timeout=STARTUP_S,
    )
    telemetry = await service_client("telemetry")
    fire = auth(make_token(Role.fire_control, subject="消防监控中心"))
    panel = f"FP-{uuid.uuid4().hex[:8]}"
    registered = await telemetry.post(
        "/v1/alarm-panels",
        json={
            "id": panel,
            "name": "3号楼火灾报警控制器",
            "system": "fire",
            "building": "3号楼",
            "zones": [
                {"zone": "Z-3F-07", "building": "3号楼", "floor": "3", "room": "307", "label": "烟感探测器"},
                {"zone": "Z-3F-08", "building": "3号楼", "floor": "3", "room": "308", "label": "手动报警按钮"},
            ],
        },
        headers=fire,
    )
    assert registered.status_code == 201, registered.text

    consumer = kit.consumer(database_url, ingest_mqtt_url)
    consumer.start()
    topic = f"houqin/v1/alarms/{panel}/events"
    kit.publish(
        ingest_mqtt_url,
        [
            # a fault not cleared: becomes a hazard once older than the configured grace time (60 s here)
            (topic, _event(now - timedelta(minutes=10), "Z-3F-07", "fault", text="探测器故障")),
            # a fault cleared within its time, and a test: never hazards
            (topic, _event(now - timedelta(minutes=10), "Z-3F-08", "fault")),
            (topic, _event(now - timedelta(minutes=9, seconds=30), "Z-3F-08", "restore", restores="fault")),
            (topic, _event(now - timedelta(minutes=8), "Z-3F-08", "fire_alarm", test=True)),
            # an unknown panel is a dead letter, not a crash
            ("houqin/v1/alarms/FP-NOPE/events", _event(now, "Z1", "fault")),
        ],
    )
    kit.wait_until(
        lambda: (
            kit.query(database_url, "SELECT count(*) FROM telemetry.alarm_event WHERE panel_id = %s", (panel,))[0][0]
            == 4
        ),
        what="the four alarm events stored",
    )
    kit.wait_until(
        lambda: (
            kit.query(
                database_url,
                "SELECT count(*) FROM telemetry.dead_letter WHERE topic = %s",
                ("houqin/v1/alarms/FP-NOPE/events",),
            )[0][0]
            >= 1
        ),
        what="the unknown panel's dead letter",
    )

    sup = auth(make_token(Role.supervisor))
    async with httpx.AsyncClient(base_url=appraisal_url, timeout=30) as appraisal:
        assigned = await appraisal.post(
            "/v1/assignments",
            json={"vendor_id": vendor_id, "project_code": project, "start_date": "2000-01-01"},
            headers=sup,
        )
        assert assigned.status_code == 201, assigned.text

        settings = AnalyticsSettings(alarm_hazard_after_s={"fire_alarm": 60, "fault": 60})
        engine = create_engine(database_url, pool_size=1)
        try:
            maker = make_sessionmaker(engine)
            async with AppraisalClient(
                appraisal_url, token=make_token(Role.service, subject="telemetry-ingest")
            ) as sink:
                async with maker() as session, session.begin():
                    first = await watcher.watch(session, sink=sink, settings=settings, now=clock.now())
                assert (first.cleared, first.hazards_opened, first.settled, first.failed) == (1, 1, 1, 0)
                async with maker() as session, session.begin():
                    again = await watcher.watch(session, sink=sink, settings=settings, now=clock.now())
                assert (again.hazards_opened, again.hazards_joined) == (0, 0)
                rows = kit.query(
                    database_url,
                    "SELECT zone, event, hazard_id, cleared_at IS NOT NULL FROM telemetry.alarm_event"
                    " WHERE panel_id = %s AND event <> 'restore' ORDER BY zone, event",
                    (panel,),
                )
                hazard_ids = [r[2] for r in rows if r[2]]
                assert [(r[0], r[1], r[3]) for r in rows] == [
                    ("Z-3F-07", "fault", False),
                    ("Z-3F-08", "fault", True),
                    ("Z-3F-08", "fire_alarm", False),
                ]
                assert len(hazard_ids) == 1

                hazard = (await appraisal.get(f"/v1/hazards/{hazard_ids[0]}", headers=sup)).json()
                assert hazard["vendor_id"] == vendor_id and hazard["project_code"] == project
                assert hazard["source"] == "alarm" and hazard["category"] == "fire" and hazard["room"] == "307"
                assert hazard["status"] == "assigned" and "烟感探测器" in hazard["description"]
                period = str(datetime.fromisoformat(hazard["removal_due_at"]).astimezone(clock.office_tz()).year)

                async def component() -> dict[str, Any]:
                    score = (
                        await appraisal.get(f"/v1/scores/{vendor_id}", params={"period": period}, headers=sup)
                    ).json()
                    found: dict[str, Any] = next(c for c in score["components"] if c["code"] == "hazards")
                    return found

                before = await component()
                assert before["score"] is None and "1 pending" in before["note"]

                # the vendor removes it; the panel's restore is recorded on the hazard; the centre verifies
                vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
                url = f"/v1/hazards/{hazard['id']}/transitions"
                version = hazard["version"]
                for action, headers in (("start", vendor), ("remove", vendor)):
                    r = await appraisal.post(
                        url, json={"action": action}, headers={**headers, "If-Match": f'"{version}"'}
                    )
                    assert r.status_code == 200, r.text
                    version = r.json()["version"]
                kit.publish(ingest_mqtt_url, [(topic, _event(clock.now(), "Z-3F-07", "restore"))])
                kit.wait_until(
                    lambda: (
                        kit.query(
                            database_url,
                            "SELECT count(*) FROM telemetry.alarm_event WHERE panel_id = %s AND event = 'restore'",
                            (panel,),
                        )[0][0]
                        == 2
                    ),
                    what="the restore stored",
                )
                async with maker() as session, session.begin():
                    cleared = await watcher.watch(session, sink=sink, settings=settings, now=clock.now())
                assert (cleared.cleared, cleared.clears_reported) == (1, 1)
                current = (await appraisal.get(f"/v1/hazards/{hazard['id']}", headers=sup)).json()
                assert current["alarms"][0]["cleared_at"] is not None
                verified = await appraisal.post(
                    url, json={"action": "verify"}, headers={**fire, "If-Match": f'"{current["version"]}"'}
                )
                assert verified.status_code == 200 and verified.json()["status"] == "verified"
        finally:
            await engine.dispose()

        after = await component()
        assert after["score"] == 100.0 and "1 removed on time" in after["note"] and "307" in after["note"]
