"""docs/schemas/*.json is the published MQTT contract: generated from the models the ingest validates with."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema

REPO = Path(__file__).resolve().parents[3]


def _export_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("export_mqtt_schemas", REPO / "scripts/export_mqtt_schemas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_published_json_schemas_are_current() -> None:
    for name, text in _export_module().rendered().items():
        published = REPO / "docs/schemas" / name
        assert published.read_text() == text, f"{published} is stale: run `make openapi`"


def test_published_schema_accepts_the_documented_shapes_and_refuses_bad_ones() -> None:
    reading = json.loads((REPO / "docs/schemas/reading.json").read_text())
    position = json.loads((REPO / "docs/schemas/position.json").read_text())
    jsonschema.validate({"ts": 1780000000000, "energy_kwh": 1.5, "pf": 0.9, "on": True}, reading)
    jsonschema.validate({"ts": "2026-11-27T08:15:00+08:00", "lat": 31.8, "lon": 119.9}, position)
    for bad, schema in (
        ({"ts": 1780000000000, "energy_kwh": -1}, reading),
        ({"ts": 1780000000000, "note": "text"}, reading),
        ({"ts": 1780000000000, "lat": 91, "lon": 0}, position),
        ({"lat": 1, "lon": 0}, position),
    ):
        try:
            jsonschema.validate(bad, schema)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"{bad} passed the published schema")


def test_published_alarm_schema_accepts_events_and_refuses_unknown_types() -> None:
    alarm = json.loads((REPO / "docs/schemas/alarm.json").read_text())
    jsonschema.validate({"ts": 1780000000000, "zone": "Z-3F-07", "event": "fault"}, alarm)
    jsonschema.validate(
        {"ts": "2026-11-27T08:15:00+08:00", "zone": "Z1", "event": "restore", "restores": "fault"}, alarm
    )
    for bad in (
        {"ts": 1780000000000, "zone": "Z1", "event": "explosion"},
        {"ts": 1780000000000, "event": "fault"},
        {"ts": 1780000000000, "zone": "Z1", "event": "fault", "colour": "red"},
    ):
        try:
            jsonschema.validate(bad, alarm)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"{bad} should be refused")
