"""Scoring with the real telemetry-ingest service as the energy KPI source (real uvicorn processes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from houqin_common.auth import Role
from support import LiveServices, auth


async def test_energy_kpi_from_live_telemetry_enters_the_score(
    live_services: LiveServices, make_token: Callable[..., str]
) -> None:
    telemetry = live_services.start("telemetry")
    appraisal = live_services.start("appraisal")
    vendor_id = str(uuid.uuid4())
    meter_id = f"m-{uuid.uuid4().hex[:10]}"
    sup = auth(make_token(Role.supervisor))
    insp = auth(make_token(Role.inspector))
    async with httpx.AsyncClient(base_url=telemetry, timeout=30) as t:
        r = await t.post(
            "/v1/meters",
            json={
                "id": meter_id,
                "name": "A座公共区照明",
                "building": "A",
                "energy_type": "01000",
                "vendor_id": vendor_id,
            },
            headers=sup,
        )
        assert r.status_code == 201, r.text
        readings = [
            {"meter_id": meter_id, "ts": ts, "energy_kwh": kwh}
            for ts, kwh in [
                ("2024-01-01T00:00:00+08:00", 1000.0),
                ("2024-06-30T12:00:00+08:00", 2000.0),
                ("2025-01-01T00:00:00+08:00", 3000.0),
                ("2025-06-30T12:00:00+08:00", 3880.0),
            ]
        ]
        r = await t.post("/v1/ingest", json={"readings": readings}, headers=sup)
        assert r.status_code == 200, r.text
    async with httpx.AsyncClient(base_url=appraisal, timeout=60) as a:
        r = await a.post(
            "/v1/assignments",
            json={"vendor_id": vendor_id, "project_code": "maintenance", "start_date": "2020-01-01"},
            headers=sup,
        )
        assert r.status_code == 201, r.text
        checklist = await a.post(
            "/v1/checklists",
            json={
                "name": "机电月检",
                "frequency": "monthly",
                "items": [{"code": "a", "text": "巡检", "max_points": 10}],
            },
            headers=insp,
        )
        r = await a.post(
            "/v1/routine-inspections",
            json={
                "vendor_id": vendor_id,
                "template_id": checklist.json()["id"],
                "inspected_on": "2025-03-10",
                "results": [{"code": "a", "points": 9}],
            },
            headers=insp,
        )
        assert r.status_code == 201, r.text
        score: dict[str, Any] = (
            await a.get(f"/v1/scores/{vendor_id}", params={"period": "2025H1"}, headers=auth(make_token(Role.service)))
        ).json()
    energy = next(c for c in score["components"] if c["code"] == "energy")
    assert score["complete"] is True and score["missing"] == []
    assert energy["available"] is True and energy["score"] is not None
    assert "1 meters" in energy["note"]
    # 880 kWh against 1000 kWh the same half a year earlier: 12 % saved, the target, scores 100
    assert energy["score"] == 100.0, energy
