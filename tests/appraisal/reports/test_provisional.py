"""A report of an unpublished period is marked provisional (暂定) in every format; a published one is not.
The half-year report exists in every format of the yearly one."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import openpyxl
from PIL import Image

from appraisal_testkit import World
from houqin_common.auth import Role
from support import auth

SVG_TITLE = ".//{http://purl.org/dc/elements/1.1/}title"


def _marks(files: dict[str, bytes]) -> dict[str, str]:
    """Where each format states its status: CSV first line, XLSX title cell, PNG and SVG title metadata."""
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).worksheets[0]
    png = Image.open(io.BytesIO(files["png"]))
    svg = ET.fromstring(files["svg"]).find(SVG_TITLE)
    return {
        "csv": ",".join(rows[0]) + " | " + ",".join(r[-1] for r in rows[1:]),
        "xlsx": str(sheet["A1"].value),
        "png": str(png.info.get("Title")),  # type: ignore[union-attr]
        "svg": str(svg.text if svg is not None else None),
    }


async def _files(client: Any, period: str, headers: dict[str, str]) -> dict[str, bytes]:
    out = {}
    for fmt in ("csv", "xlsx", "png", "svg"):
        r = await client.get(f"/v1/reports/periods/{period}", params={"format": fmt}, headers=headers)
        assert r.status_code == 200, r.text
        out[fmt] = r.content
    return out


async def test_an_unpublished_half_year_is_marked_provisional_in_every_format_and_a_published_one_is_not(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    period = "2074H2"
    world = await World(client, make_token).build(period=period)
    a, b = world.projects
    for t in await world.tokens(2):
        assert (await world.answer(t, {a: "excellent", b: "fair"})).status_code == 201
    sup = auth(make_token(Role.supervisor))

    marks = _marks(await _files(client, period, sup))
    assert marks["csv"].startswith("provisional,") and marks["csv"].endswith("provisional,provisional")
    for fmt in ("xlsx", "png", "svg"):
        assert marks[fmt] == "Half-year appraisal of back-office vendors 2074H2 (provisional)", (fmt, marks)
    zh = _marks(await _files(client, period, {**sup, "Accept-Language": "zh-CN"}))
    assert all("暂定" in zh[fmt] for fmt in ("csv", "xlsx", "png", "svg")), zh

    published = await client.post(
        f"/v1/periods/{period}/publish", json={"override": True, "justification": "测试"}, headers=sup
    )
    assert published.status_code == 201, published.text
    final = _marks(await _files(client, period, sup))
    assert not any("provisional" in mark for mark in final.values()), final
    assert final["csv"].endswith("published (version 1),published (version 1)")
    assert final["svg"] == "Half-year appraisal of back-office vendors 2074H2"
    # the yearly route is the same report for a year; a quarter is not an appraisal period
    year = await client.get("/v1/reports/years/2074", params={"format": "csv"}, headers=sup)
    assert year.status_code == 200 and year.content.decode("utf-8-sig").startswith("provisional,")
    assert (await client.get("/v1/reports/periods/2074Q3", headers=sup)).status_code == 422
