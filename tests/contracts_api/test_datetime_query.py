"""Date-time query parameters take ISO 8601 text only: a number is not silently read as Unix seconds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from houqin_common.schemas import IsoDateTime

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-07-01", "2026-07-01T08:00:00", "yesterday"])
def test_numbers_dates_and_naive_times_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(IsoDateTime).validate_python(value)


def test_iso_text_with_offset_is_read() -> None:
    got = TypeAdapter(IsoDateTime).validate_python("2026-07-01T08:00:00+08:00")
    assert got == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


async def test_audit_since_refuses_a_number(api) -> None:
    r = await api.client.get("/v1/audit", params={"since": "0.5"}, headers=api.auditor)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    ok = await api.client.get("/v1/audit", params={"since": "2026-01-01T00:00:00+08:00"}, headers=api.auditor)
    assert ok.status_code == 200
