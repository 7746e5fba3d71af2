"""A period of days is counted in office days (00:00 Beijing time), not UTC days: the complaints a vendor is
scored on, and the list's ``since``, hold a complaint filed at 07:00 on 1 July in July."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import psycopg

from appraisal.scoring import repository
from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.db import create_engine, libpq_url, make_sessionmaker
from support import auth

TZ_NOTE = "the office's zone is Asia/Shanghai (UTC+8) in the suite"


def _file(url: str, vendor_id: str, instants: dict[str, datetime]) -> None:
    with psycopg.connect(libpq_url(url)) as conn:
        for label, filed_at in instants.items():
            conn.execute(
                "INSERT INTO appraisal.complaint (id, kind, channel, category, vendor_id, description, filed_by,"
                " status, filed_at) VALUES (%s, 'complaint', 'web', 'cleaning', %s, %s, 'staff-1', 'open', %s)",
                (f"{vendor_id[:8]}-{label}", vendor_id, label, filed_at),
            )


def _instants() -> dict[str, datetime]:
    """Four complaints around the office's 1 July 2030 and 1 January 2031 (years no test clock reaches)."""
    assert clock.office_tz().utcoffset(datetime(2030, 7, 1)) == timedelta(hours=8), TZ_NOTE
    tz = clock.office_tz()
    return {
        "june-night": datetime(2030, 6, 30, 23, 30, tzinfo=tz),  # June 30 15:30 UTC
        "july-morning": datetime(2030, 7, 1, 7, 0, tzinfo=tz),  # still June 30 in UTC
        "new-year-eve": datetime(2030, 12, 31, 23, 30, tzinfo=tz),
        "new-year-morning": datetime(2031, 1, 1, 7, 0, tzinfo=tz),  # still December 31 in UTC
    }


async def test_a_half_years_complaints_are_those_filed_on_its_office_days(database_url: str) -> None:
    vendor_id = str(uuid.uuid4())
    _file(database_url, vendor_id, _instants())
    engine = create_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            h2 = await repository.complaints(session, date(2030, 7, 1), date(2031, 1, 1))
            h1 = await repository.complaints(session, date(2030, 1, 1), date(2030, 7, 1))
    finally:
        await engine.dispose()
    tz = clock.office_tz()
    assert sorted(filed.astimezone(tz) for _, filed, _ in h2[vendor_id]) == [
        datetime(2030, 7, 1, 7, 0, tzinfo=tz),
        datetime(2030, 12, 31, 23, 30, tzinfo=tz),
    ]
    # the positive control: the first half holds the June complaint, so the rows were there to be counted
    assert [filed.astimezone(tz) for _, filed, _ in h1[vendor_id]] == [datetime(2030, 6, 30, 23, 30, tzinfo=tz)]


async def test_since_is_an_office_day(
    service_client: Callable[..., Any], make_token: Callable[..., str], database_url: str
) -> None:
    client = await service_client("appraisal")
    vendor_id = str(uuid.uuid4())
    _file(database_url, vendor_id, _instants())
    sup = auth(make_token(Role.supervisor))
    since_july = await client.get("/v1/complaints", params={"vendor_id": vendor_id, "since": "2030-07-01"}, headers=sup)
    assert since_july.status_code == 200, since_july.text
    assert sorted(c["description"] for c in since_july.json()["items"]) == [
        "july-morning",
        "new-year-eve",
        "new-year-morning",
    ]
    everything = await client.get("/v1/complaints", params={"vendor_id": vendor_id}, headers=sup)
    assert everything.json()["total"] == 4
