"""The energy KPI in yuan: telemetry prices a vendor's meters, and an appraisal scheme configured to score the
cost saving scores it (real uvicorn processes of both services)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx

from houqin_common.auth import Role
from support import LiveServices, auth


async def test_a_scheme_scoring_cost_sees_the_dearer_tariff(
    live_services: LiveServices, make_token: Callable[..., str]
) -> None:
    telemetry = live_services.start("telemetry")
    vendor_id = str(uuid.uuid4())
    meter_id = f"m-{uuid.uuid4().hex[:10]}"
    sup = auth(make_token(Role.supervisor))
    async with httpx.AsyncClient(base_url=telemetry, timeout=30) as t:
        r = await t.post(
            "/v1/meters",
            json={"id": meter_id, "name": "B座空调", "building": "B", "energy_type": "01000", "vendor_id": vendor_id},
            headers=sup,
        )
        assert r.status_code == 201, r.text
        readings = [
            {"meter_id": meter_id, "ts": ts, "energy_kwh": kwh}
            for ts, kwh in [
                ("2024-01-01T00:00:00+08:00", 1000.0),
                ("2024-07-01T00:00:00+08:00", 2000.0),
                ("2025-01-01T00:00:00+08:00", 3000.0),
                ("2025-07-01T00:00:00+08:00", 3880.0),
            ]
        ]
        assert (await t.post("/v1/ingest", json={"readings": readings}, headers=sup)).status_code == 200
        for year, price in (("2024", "1.00"), ("2025", "1.20")):
            body = {
                "name": f"{year} price",
                "energy_type": "01000",
                "scope": "meter",
                "scope_id": meter_id,
                "effective_from": f"{year}-01-01",
                "prices": {"single": price},
            }
            assert (await t.put(f"/v1/energy/tariffs/{meter_id}-{year}", json=body, headers=sup)).status_code == 201
        params = {"vendor_id": vendor_id, "period": "2025H1"}
        kwh_only = (await t.get("/v1/kpis/energy", params=params, headers=sup)).json()
        assert kwh_only["cost_cny"] is None and abs(kwh_only["saving_ratio"] - 0.12) < 1e-9
        kpi = (await t.get("/v1/kpis/energy", params={**params, "measure": "cost"}, headers=sup)).json()
        # 880 kWh × 1.20 = 1 056 yuan against 1 000 kWh × 1.00: 12 % fewer kWh, 5.6 % more yuan
        assert (kpi["cost_cny"], kpi["previous_cost_cny"]) == ("1056.00", "1000.00")
        assert abs(kpi["cost_saving_ratio"] + 0.056) < 1e-9

    scores = {}
    for measure in ("energy", "cost"):
        appraisal = live_services.start(
            "appraisal", {"HOUQIN_APPRAISAL_ENERGY_MEASURE": json.dumps({"support": measure})}
        )
        async with httpx.AsyncClient(base_url=appraisal, timeout=60) as a:
            if measure == "energy":
                r = await a.post(
                    "/v1/assignments",
                    json={"vendor_id": vendor_id, "project_code": "maintenance", "start_date": "2020-01-01"},
                    headers=sup,
                )
                assert r.status_code == 201, r.text
            score = (
                await a.get(
                    f"/v1/scores/{vendor_id}", params={"period": "2025H1"}, headers=auth(make_token(Role.service))
                )
            ).json()
        scores[measure] = next(c for c in score["components"] if c["code"] == "energy")
    assert scores["energy"]["score"] == 100.0  # 12 % of kWh saved: the target
    # -5.6 % in yuan: 50 + 50 × (-0.056 / 0.12) = 26.67
    assert scores["cost"]["score"] == 26.67, scores["cost"]
    assert "1056.00 CNY" in scores["cost"]["note"]
