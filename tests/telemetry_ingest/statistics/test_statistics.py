"""A year of the public-institution statistics by hand, on a database of its own (the statistics cover every
meter): kgce, tCO2, per capita and per m² to the gram and the cent, goals, the XLSX form, and payback."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from houqin_common.auth import Role
from houqin_common.db import libpq_url
from support import TEST_SECRET, asgi_client, auth

TZ = ZoneInfo("Asia/Shanghai")


@asynccontextmanager
async def app_on(url: str) -> AsyncIterator[httpx.AsyncClient]:
    from telemetry_ingest.main import create_app
    from telemetry_ingest.settings import Settings

    async with asgi_client(create_app(Settings(database_url=url, jwt_secret=TEST_SECRET))) as client:
        yield client


@pytest.fixture
def db(fresh_database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        yield conn


def daily(db: psycopg.Connection[Any], meter: str, per_day: dict[int, float], first: date, after: date) -> None:
    """Readings at each local midnight from ``first`` to ``after`` inclusive; ``per_day[year]`` per day."""
    rows, value, day = [], 0.0, first
    while day <= after:
        rows.append((meter, datetime(day.year, day.month, day.day, tzinfo=TZ), value))
        value += per_day.get(day.year, 0.0)
        day += timedelta(days=1)
    with db.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
        for r in rows:
            cp.write_row(r)


def build(db: psycopg.Connection[Any]) -> None:
    for mid, building, code, unit in (
        ("E1", "B1", "01000", "kWh"),
        ("W1", "B1", "02000", "m³"),
        ("G1", "B1", "03000", "m³"),
        ("H1", "B2", "04000", "GJ"),
    ):
        db.execute(
            "INSERT INTO telemetry.meter (id, name, building, energy_type, unit) VALUES (%s, %s, %s, %s, %s)",
            (mid, mid, building, code, unit),
        )
    first, after = date(2040, 1, 1), date(2042, 1, 1)
    daily(db, "E1", {2040: 1100, 2041: 1000}, first, after)
    daily(db, "W1", {2040: 22, 2041: 20}, first, after)
    daily(db, "G1", {2040: 30, 2041: 30}, first, after)
    daily(db, "H1", {2041: 2}, date(2041, 1, 1), after)


async def enter(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for code, price, unit in (
        ("01000", "0.65", "kWh"),
        ("02000", "4.90", "m³"),
        ("03000", "3.5", "m³"),
        ("04000", "45", "GJ"),
    ):
        body = {
            "name": "flat",
            "energy_type": code,
            "effective_from": "2030-01-01",
            "unit": unit,
            "prices": {"single": price},
        }
        r = await client.put(f"/v1/energy/tariffs/t-{code}", json=body, headers=headers)
        assert r.status_code == 201, r.text
    for path, body in (
        ("/v1/energy/headcounts/2040", {"headcount": 480}),
        ("/v1/energy/headcounts/2041", {"headcount": 500}),
        ("/v1/energy/buildings/B1/areas/2030-01-01", {"floor_area_m2": "18000"}),
        ("/v1/energy/buildings/B1/areas/2041-06-01", {"floor_area_m2": "20000", "note": "annex"}),
        ("/v1/energy/goals/energy_per_capita_kgce/2041", {"max_value": "170"}),
        ("/v1/energy/goals/comprehensive_energy_kgce/2041", {"min_reduction": "0.05"}),
        ("/v1/energy/goals/water_per_capita_m3/2041", {"min_reduction": "0.1"}),
    ):
        r = await client.put(path, json=body, headers=headers)
        assert r.status_code == 200, (path, r.text)


async def test_a_year_of_statistics_by_hand(
    fresh_database_url: str, db: psycopg.Connection[Any], make_token: Any
) -> None:
    build(db)
    headers = auth(make_token(Role.supervisor))
    async with app_on(fresh_database_url) as client:
        await enter(client, headers)
        r = await client.get("/v1/energy/statistics", params={"year": 2041}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        got = {i["code"]: i for i in body["indicators"]}
        assert (body["headcount"], body["previous_headcount"]) == (500, 480)
        assert (body["floor_area_m2"], body["previous_floor_area_m2"]) == ("20000.00", "18000.00")
        # 365 000 kWh × 0.1229 + 10 950 m³ × 1.2143 + 730 GJ × 34.12 = 44 858.5 + 13 296.585 + 24 907.6
        assert got["comprehensive_energy_kgce"]["value"] == "83062.685"
        # 2040 (366 days): 402 600 kWh × 0.1229 + 10 980 m³ × 1.2143, no heat
        assert got["comprehensive_energy_kgce"]["previous"] == "62812.554"
        assert got["comprehensive_energy_kgce"]["change"] == "20250.131"
        # 83 062.685 / 500 people; / 20 000 m² (the annex counts from June: the area on 31 December)
        assert got["energy_per_capita_kgce"]["value"] == "166.125"
        assert got["energy_per_capita_kgce"]["previous"] == "130.859"
        assert got["energy_per_m2_kgce"]["value"] == "4.153"
        assert got["energy_per_m2_kgce"]["previous"] == "3.490"
        assert got["water_per_capita_m3"]["value"] == "14.600"
        assert got["water_per_capita_m3"]["previous"] == "16.775"
        # 365 MWh × 0.5703 + 10 950 m³ × 2.1622 kg + 730 GJ × 0.11 t = 208.1595 + 23.67609 + 80.3 (to the gram)
        assert got["carbon_tco2"]["value"] == "312.135590"
        assert got["carbon_tco2"]["previous"] == "253.343736"
        # 365 000 × 0.65 + 7 300 × 4.90 + 10 950 × 3.5 + 730 × 45
        assert got["cost_cny"]["value"] == "344195.00"
        assert got["cost_cny"]["previous"] == "339574.80"
        assert got["cost_cny"]["change"] == "4620.20"
        assert (got["electricity_kwh"]["value"], got["gas_m3"]["value"], got["heat_gj"]["value"]) == (
            "365000.000",
            "10950.000",
            "730.000",
        )
        assert got["electricity_kwh"]["change_ratio"] == "-0.0934"
        # goals: a ceiling met, a reduction missed (heat was added), a reduction met (16.775 -> 14.6 is -13 %)
        assert got["energy_per_capita_kgce"]["goal_met"] is True
        assert got["comprehensive_energy_kgce"]["goal_met"] is False
        assert got["water_per_capita_m3"]["goal_met"] is True
        assert got["carbon_tco2"]["goal_met"] is None and got["carbon_tco2"]["goal"] is None
        assert body["coefficients"]["grid_emission_factor_year"] == 2023
        assert body["unpriced_quantity"] == 0

        from openpyxl import load_workbook

        async def sheet_cells(lang: str) -> list[tuple[Any, ...]]:
            r = await client.get(
                "/v1/energy/statistics.xlsx", params={"year": 2041}, headers={**headers, "Accept-Language": lang}
            )
            assert r.status_code == 200
            sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
            return [tuple(row) for row in sheet.iter_rows(values_only=True)]

        # English on request: the same figures under English headings
        english = await sheet_cells("en")
        assert english[0][0] == "Public institution energy and resource consumption statistics (2041)"
        en_header = next(i for i, row in enumerate(english) if row[0] == "Indicator")
        en_rows = {row[0]: row for row in english[en_header + 1 :] if row[0]}
        assert en_rows["Comprehensive energy consumption per capita"][1:4] == (
            "kg of standard coal per person",
            166.125,
            130.859,
        )
        assert en_rows["Comprehensive energy consumption per capita"][6:] == ("≤ 170", "met")
        # by default (and on zh-CN) the statutory form's own wording
        cells = await sheet_cells("zh-CN")
        assert cells[0][0] == "公共机构能源资源消耗统计表（2041年度）"
        assert cells[3][:4] == ("用能人数", "人", 500, 480)
        header = next(i for i, row in enumerate(cells) if row[0] == "指标名称")
        assert list(cells[header]) == [
            "指标名称",
            "计量单位",
            "本年",
            "上年",
            "增减量",
            "增减率(%)",
            "目标",
            "是否达标",
        ]
        by_name = {row[0]: row for row in cells[header + 1 :] if row[0]}
        assert by_name["人均综合能耗"][1:4] == ("千克标准煤/人", 166.125, 130.859)
        assert by_name["人均综合能耗"][6:] == ("≤ 170", "达标")
        assert by_name["综合能耗"][7] == "未达标"
        assert by_name["二氧化碳排放量"][2] == pytest.approx(312.13559)
        assert by_name["电力（当量值）"][2] == pytest.approx(0.1229)

        # the area history is kept
        areas = (await client.get("/v1/energy/buildings/areas", headers=headers)).json()
        assert [(a["valid_from"], a["floor_area_m2"]) for a in areas] == [
            ("2030-01-01", "18000.00"),
            ("2041-06-01", "20000.00"),
        ]
        r = await client.put("/v1/energy/goals/not_an_indicator/2041", json={"max_value": "1"}, headers=headers)
        assert r.status_code == 404
        r = await client.put("/v1/energy/goals/cost_cny/2041", json={}, headers=headers)
        assert r.status_code == 422
        vendor = auth(make_token(Role.vendor, vendor_id="v1"))
        assert (await client.get("/v1/energy/statistics", params={"year": 2041}, headers=vendor)).status_code == 403


async def test_payback_of_an_investment_in_yuan(
    fresh_database_url: str, db: psycopg.Connection[Any], make_token: Any
) -> None:
    build(db)
    headers = auth(make_token(Role.supervisor))
    async with app_on(fresh_database_url) as client:
        await enter(client, headers)
        r = await client.post(
            "/v1/energy/investments",
            json={"name": "monitoring system", "cost_cny": "100000", "start_date": "2041-01-01", "building": "B1"},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        inv = r.json()["id"]
        r = await client.get(f"/v1/energy/investments/{inv}/payback", params={"as_of": "2042-01-01"}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        # baseline 2040-01-02..2040-12-31 (365 days) of building B1: 365 × (1100 × 0.65 + 22 × 4.90 + 30 × 3.5)
        assert body["baseline_cny"] == "338647.00"
        assert body["actual_cny"] == "311345.00"  # 365 × (1000 × 0.65 + 20 × 4.90 + 30 × 3.5); H1 is in B2
        assert body["saved_cny"] == "27302.00"
        assert body["payback_years"] == "3.66"  # 100 000 / 27 302
        assert body["paid_back"] is False
        assert body["paid_back_on"] == "2044-08-29"  # 1 336.9 days at 74.80 yuan a day
        # year on year: 2041 against the 366 days of 2040
        assert body["years"] == [
            {"year": 2041, "cost_cny": "311345.00", "previous_cny": "339574.80", "saved_cny": "28229.80"}
        ]
        r = await client.get(f"/v1/energy/investments/{inv}/payback", params={"as_of": "2040-06-01"}, headers=headers)
        assert r.status_code == 422
        r = await client.get("/v1/energy/investments/nope/payback", params={"as_of": "2042-01-01"}, headers=headers)
        assert r.status_code == 404
        cheap = await client.post(
            "/v1/energy/investments",
            json={"name": "LED retrofit", "cost_cny": "20000", "start_date": "2041-01-01", "building": "B1"},
            headers=headers,
        )
        r = await client.get(
            f"/v1/energy/investments/{cheap.json()['id']}/payback", params={"as_of": "2042-01-01"}, headers=headers
        )
        assert r.json()["paid_back"] is True


async def test_one_yuan_figure_per_scope_and_year_across_the_endpoints(
    fresh_database_url: str, db: psycopg.Connection[Any], make_token: Any
) -> None:
    """A year's cost of every meter is one figure: the statistics, the workbook, the KPI's cost summed over
    the vendors that own the meters, and the payback of an investment whose boundary holds every meter."""
    import time_machine

    build(db)
    db.execute("UPDATE telemetry.meter SET vendor_id = CASE WHEN id IN ('E1', 'W1') THEN 'va' ELSE 'vb' END")
    with time_machine.travel(datetime(2042, 3, 1, tzinfo=TZ), tick=False):
        headers = auth(make_token(Role.supervisor))  # issued in the travelled time, or it has expired
        async with app_on(fresh_database_url) as client:
            await enter(client, headers)
            stats = (await client.get("/v1/energy/statistics", params={"year": 2041}, headers=headers)).json()
            cost = {i["code"]: i for i in stats["indicators"]}["cost_cny"]["value"]
            assert cost == "344195.00"
            kpi_costs = []
            for vendor in ("va", "vb"):
                r = await client.get(
                    "/v1/kpis/energy",
                    params={"vendor_id": vendor, "period": "2041", "measure": "cost"},
                    headers=headers,
                )
                assert r.status_code == 200, r.text
                kpi_costs.append(Decimal(r.json()["cost_cny"]))
            assert sum(kpi_costs) == Decimal(cost)
            r = await client.get(
                "/v1/energy/statistics.xlsx", params={"year": 2041}, headers={**headers, "Accept-Language": "en"}
            )
            from openpyxl import load_workbook

            rows = {
                row[0]: row for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True)
            }
            assert rows["Energy and resource costs"][2] == float(cost)
            # the heat meter H1 starts in 2041: an investment of 2041 over every meter leaves it out, and says so
            inv = await client.post(
                "/v1/energy/investments",
                json={"name": "monitoring system", "cost_cny": "100000", "start_date": "2041-01-01"},
                headers=headers,
            )
            pay = (
                await client.get(
                    f"/v1/energy/investments/{inv.json()['id']}/payback",
                    params={"as_of": "2042-01-01"},
                    headers=headers,
                )
            ).json()
            assert pay["boundary_meters"] == ["E1", "G1", "W1"] and pay["meters_left_out"] == ["H1"]
            # without H1 (730 GJ × 45 = 32 850 yuan) the payback's 2041 is the statistics' figure less H1's cost
            assert Decimal(pay["years"][0]["cost_cny"]) == Decimal(cost) - Decimal("32850.00")
            # the same scope (E1, W1, G1 are B1's meters) through the KPI: vendor va plus G1's share of vb
            assert stats["scope"]["meters_current"] == 4 and stats["scope"]["meters_compared"] == 3
            # like for like: the compared cost is the payback's (the same three meters, the same days)
            assert stats["compared"]["cost_cny"] == pay["years"][0]["cost_cny"]
            # the same figures once the worker has rolled everything up (the cost rollup answers them)
            r = await client.post("/v1/energy/rollup/refresh", headers=headers)
            assert r.status_code == 200 and r.json()["meter_days"] > 0, r.text
            again = (await client.get("/v1/energy/statistics", params={"year": 2041}, headers=headers)).json()
            assert again == stats
            rolled_kpis = [
                Decimal(
                    (
                        await client.get(
                            "/v1/kpis/energy",
                            params={"vendor_id": vendor, "period": "2041", "measure": "cost"},
                            headers=headers,
                        )
                    ).json()["cost_cny"]
                )
                for vendor in ("va", "vb")
            ]
            assert rolled_kpis == kpi_costs
            pay_again = (
                await client.get(
                    f"/v1/energy/investments/{inv.json()['id']}/payback",
                    params={"as_of": "2042-01-01"},
                    headers=headers,
                )
            ).json()
            assert pay_again == pay
