"""Tariff window times are answered as the schema declares them: local `HH:MM` (`HH:MM:SS` when a window
starts on a second), validated against the service's own OpenAPI document with format checking on."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.tariffs.schemas import LOCAL_TIME_PATTERN

WINDOWS = [
    {"start": "23:00", "end": "07:00", "period": "valley"},
    {"start": "08:00:30", "end": "11:00:00", "period": "peak"},
]
CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def _validator(doc: dict[str, Any], path: str, method: str, code: str) -> jsonschema.Draft202012Validator:
    schema = doc["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": doc["components"]}, format_checker=CHECKER)


async def test_listed_window_times_match_the_declared_schema(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    tariff_id = f"times-{uuid.uuid4().hex[:8]}"
    tou = {
        "name": "分时电价（时刻测试）",
        "energy_type": "01000",
        "scope": "building",
        "scope_id": f"B-{tariff_id}",
        "effective_from": "2026-01-01",
        "prices": {"peak": "1.0697", "flat": "0.6685", "valley": "0.2674"},
        "windows": WINDOWS,
    }
    assert (await client.put(f"/v1/energy/tariffs/{tariff_id}", json=tou, headers=headers)).status_code == 201
    doc = (await client.get("/openapi.json")).json()
    listed = await client.get("/v1/energy/tariffs", params={"energy_type": "01000"}, headers=headers)
    assert listed.status_code == 200
    errors = [e.message for e in _validator(doc, "/v1/energy/tariffs", "get", "200").iter_errors(listed.json())]
    assert errors == []
    ours = next(t for t in listed.json() if t["id"] == tariff_id)
    times = [(w["start"], w["end"]) for w in ours["windows"]]
    assert times == [("23:00", "07:00"), ("08:00:30", "11:00")]
    assert all(re.fullmatch(LOCAL_TIME_PATTERN, t) for pair in times for t in pair)
    one = await client.get(f"/v1/energy/tariffs/{tariff_id}", headers=headers)
    assert list(_validator(doc, "/v1/energy/tariffs/{tariff_id}", "get", "200").iter_errors(one.json())) == []
    window = doc["components"]["schemas"]["TariffWindow"]["properties"]["start"]
    assert window.get("format") != "time" and window["pattern"] == LOCAL_TIME_PATTERN


def test_the_format_check_is_on() -> None:
    """Positive control: the validator above does enforce formats: the old answer fails `format: time`."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("00:00:00", {"type": "string", "format": "time"}, format_checker=CHECKER)
    jsonschema.validate("00:00:00+08:00", {"type": "string", "format": "time"}, format_checker=CHECKER)


@pytest.mark.parametrize("bad", ["08:00+08:00", "08:00:00.250", "25:00"])
async def test_a_window_time_with_an_offset_or_a_fraction_is_refused(
    service_client: Callable[..., Any], make_token: Callable[..., str], bad: str
) -> None:
    client = await service_client("telemetry")
    body = {
        "name": "bad",
        "energy_type": "01000",
        "effective_from": "2026-01-01",
        "prices": {"peak": "1", "flat": "0.5"},
        "windows": [{"start": bad, "end": "11:00", "period": "peak"}],
    }
    r = await client.put(
        f"/v1/energy/tariffs/bad-{uuid.uuid4().hex[:8]}", json=body, headers=auth(make_token(Role.supervisor))
    )
    assert r.status_code == 422, r.text
