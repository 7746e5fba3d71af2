"""Cost through the API: tariffs entered and imported, a day of readings priced to the fen, yuan saved."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from houqin_common.auth import Role
from houqin_common.db import libpq_url
from support import auth

TZ = ZoneInfo("Asia/Shanghai")
Q = timedelta(minutes=15)

TOU_WINDOWS = [
    {"start": "23:00", "end": "07:00", "period": "valley"},
    {"start": "08:00", "end": "11:00", "period": "peak"},
    {"start": "18:00", "end": "23:00", "period": "peak"},
    {"start": "10:00", "end": "11:00", "period": "critical", "months": [7, 8]},
]
TOU_PRICES = {"critical": "1.2836", "peak": "1.0697", "flat": "0.6685", "valley": "0.2674"}


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        yield conn


def meter(db: psycopg.Connection[Any], *, building: str = "A", energy_type: str = "01000") -> str:
    mid = f"m-{uuid.uuid4().hex[:10]}"
    db.execute(
        "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, %s, %s)",
        (mid, mid, building, energy_type),
    )
    return mid


def july_day(db: psycopg.Connection[Any], mid: str, day: date, *, uniform: bool = False) -> None:
    """Register readings every 15 minutes from 00:05 to 00:05 the next day: 1.5 kWh per interval, except
    06:50-07:05 (3 kWh) and 10:50-11:05 (6 kWh) unless ``uniform``."""
    ts, value = datetime.combine(day, time(0, 5), TZ), 100.0
    rows = [(mid, ts, value)]
    for _ in range(96):
        step = 1.5 if uniform else {time(6, 50): 3.0, time(10, 50): 6.0}.get(ts.time(), 1.5)
        ts, value = ts + Q, value + step
        rows.append((mid, ts, value))
    with db.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
        for r in rows:
            cp.write_row(r)


async def test_a_day_across_tariff_boundaries_costs_the_hand_computed_yuan(
    service_client: Callable[..., Any], make_token: Callable[..., str], db: psycopg.Connection[Any]
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    mid = meter(db)
    july_day(db, mid, date(2026, 7, 15))
    july_day(db, mid, date(2025, 7, 15), uniform=True)
    tou = {
        "name": "example TOU",
        "energy_type": "01000",
        "scope": "meter",
        "scope_id": mid,
        "effective_from": "2026-01-01",
        "prices": TOU_PRICES,
        "windows": TOU_WINDOWS,
    }
    r = await client.put(f"/v1/energy/tariffs/{mid}-2026", json=tou, headers=headers)
    assert r.status_code == 201, r.text
    single = {**tou, "effective_from": "2025-01-01", "prices": {"single": "0.8"}, "windows": []}
    assert (await client.put(f"/v1/energy/tariffs/{mid}-2025", json=single, headers=headers)).status_code == 201
    again = await client.put(f"/v1/energy/tariffs/{mid}-2025", json=single, headers=headers)
    assert again.status_code == 200  # a replace, not a second version

    day = {"start": "2026-07-15T00:00:00+08:00", "end": "2026-07-16T00:00:00+08:00", "meter_id": mid}
    r = await client.get(
        "/v1/energy/consumption", params={**day, "granularity": "day", "measure": "cost"}, headers=headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # valley 49 kWh × 0.2674 + flat 50 × 0.6685 + peak 42 × 1.0697 + critical 9 × 1.2836 = 103.0074
    assert body["total_cost_cny"] == "103.01"
    assert {p["period"]: (p["quantity"], p["cost_cny"]) for p in body["periods"]} == {
        "critical": (9.0, "11.55"),
        "peak": (42.0, "44.93"),
        "flat": (50.0, "33.43"),
        "valley": (49.0, "13.10"),
    }
    assert [row["cost_cny"] for row in body["rows"]] == ["103.01"]
    assert body["unpriced_quantity"] == 0
    # hourly buckets pre-sum slots inside each hour (intervals 00:50-01:05 cross the hour), daily ones per price
    # slot: same yuan
    hourly = await client.get(
        "/v1/energy/consumption", params={**day, "granularity": "hour", "measure": "cost"}, headers=headers
    )
    assert hourly.json()["total_cost_cny"] == "103.01" and len(hourly.json()["rows"]) == 24
    energy = await client.get("/v1/energy/consumption", params={**day, "granularity": "day"}, headers=headers)
    assert energy.json()["total_kwh"] == pytest.approx(150.0)  # the kWh answer is unchanged

    # the same day a year earlier: 144 kWh at the single 0.8 of the 2025 version = 115.20
    r = await client.get("/v1/energy/year-on-year", params={**day, "measure": "cost"}, headers=headers)
    assert r.status_code == 200, r.text
    yoy = r.json()
    assert (yoy["current_cny"], yoy["previous_cny"], yoy["saved_cny"]) == ("103.01", "115.20", "12.19")

    r = await client.get(
        "/v1/energy/savings",
        params={
            "baseline_start": "2025-07-15",
            "baseline_end": "2025-07-16",
            "start": "2026-07-15",
            "end": "2026-07-16",
            "meter_id": mid,
            "measure": "cost",
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["baseline_cny"], r.json()["saved_cny"]) == ("115.20", "12.19")
    r = await client.get(
        "/v1/energy/savings",
        params={
            "baseline_start": "2025-07-15",
            "baseline_end": "2025-07-16",
            "start": "2026-07-15",
            "end": "2026-07-16",
            "meter_id": mid,
            "measure": "cost",
            "normalise": "true",
        },
        headers=headers,
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"

    r = await client.get(
        "/v1/energy/top-consumers", params={**day, "group_by": "meter", "measure": "cost"}, headers=headers
    )
    assert r.json() == [{"group": mid, "cost_cny": "103.01", "share": 1.0}]


async def test_a_tariff_that_does_not_add_up_is_refused(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    bad = {
        "name": "no valley price",
        "energy_type": "01000",
        "effective_from": "2026-01-01",
        "prices": {"peak": "1", "flat": "0.6"},
        "windows": TOU_WINDOWS[:2],
    }
    r = await client.put(f"/v1/energy/tariffs/bad-{uuid.uuid4().hex[:8]}", json=bad, headers=headers)
    assert r.status_code == 422
    assert "valley" in r.text
    fixed = {**bad, "prices": {**bad["prices"], "valley": "0.3"}, "scope": "building", "scope_id": uuid.uuid4().hex}
    r = await client.put(f"/v1/energy/tariffs/ok-{uuid.uuid4().hex[:8]}", json=fixed, headers=headers)
    assert r.status_code == 201, r.text
    vendor = await client.put(
        f"/v1/energy/tariffs/v-{uuid.uuid4().hex[:8]}", json=fixed, headers=auth(make_token(Role.vendor, vendor_id="x"))
    )
    assert vendor.status_code == 403


async def test_import_from_csv_and_xlsx_with_chinese_headings(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    from openpyxl import Workbook

    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    tag = uuid.uuid4().hex[:8]
    csv_text = (
        "id,name,energy_type,scope,scope_id,effective_from,unit,period,price,start,end,months,example\n"
        f"e-{tag},example TOU,01000,building,B-{tag},2026-01-01,kWh,valley,0.2674,23:00,07:00,,yes\n"
        f"e-{tag},,,,,,,peak,1.0697,08:00,11:00,,\n"
        f"e-{tag},,,,,,,peak,1.0697,18:00,23:00,,\n"
        f'e-{tag},,,,,,,critical,1.2836,10:00,11:00,"7,8",\n'
        f"e-{tag},,,,,,,flat,0.6685,,,,\n"
        f"w-{tag},example water,02000,building,B-{tag},2026-01-01,m³,single,4.90,,,,yes\n"
    )
    files = {"file": ("tariffs.csv", csv_text.encode("utf-8-sig"), "text/csv")}
    r = await client.post("/v1/energy/tariffs/import", files=files, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0, "ids": [f"e-{tag}", f"w-{tag}"]}
    got = (await client.get(f"/v1/energy/tariffs/e-{tag}", headers=headers)).json()
    assert got["example"] is True and got["prices"]["critical"] == "1.2836"
    assert {"start": "10:00", "end": "11:00", "period": "critical", "months": [7, 8]} in got["windows"]

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "能源类型", "范围", "范围编号", "生效日期", "单位", "时段", "单价"])
    sheet.append([f"g-{tag}", "03000", "building", f"B-{tag}", "2026-01-01", "m³", "single", 3.5])
    out = io.BytesIO()
    book.save(out)
    xlsx = {"file": ("燃气价格.xlsx", out.getvalue(), "application/octet-stream")}
    r = await client.post("/v1/energy/tariffs/import", files=xlsx, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    assert (await client.get(f"/v1/energy/tariffs/g-{tag}", headers=headers)).json()["prices"] == {"single": "3.5"}

    # one bad row rejects the file: nothing of it is stored
    broken = csv_text.replace(f"e-{tag}", f"x-{tag}").replace(f"w-{tag}", f"y-{tag}").replace("4.90", "-1")
    r = await client.post(
        "/v1/energy/tariffs/import", files={"file": ("t.csv", broken.encode(), "text/csv")}, headers=headers
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/v1/energy/tariffs/x-{tag}", headers=headers)).status_code == 404
    r = await client.post(
        "/v1/energy/tariffs/import", files={"file": ("t.pdf", b"%PDF", "application/pdf")}, headers=headers
    )
    assert r.status_code == 422
