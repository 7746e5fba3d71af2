"""The MQTT/HTTP contract as pure functions: topic + raw bytes -> rows, or a dead-letter reason.

Two stages, both free of I/O so the consumer, the HTTP endpoint and the tests share them:
:func:`decode` runs when a message arrives (size, JSON, shape, topic); :func:`build_rows` runs at
flush time, once the registry knows every device id of the batch (whether an id is a meter or a
vehicle decides how a ThingsBoard item is read). A message is accepted or rejected as a whole:
it is also the unit of acknowledgement.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

DeviceKind = Literal["meter", "vehicle"]

METER_TOPIC = ("houqin", "v1", "meters", "readings")
VEHICLE_TOPIC = ("houqin", "v1", "vehicles", "positions")
THINGSBOARD_TOPIC = "v1/gateway/telemetry"
#: Topics the consumer subscribes to (prefixed with `$share/<group>/` when shared).
SUBSCRIPTIONS = ("houqin/v1/meters/+/readings", "houqin/v1/vehicles/+/positions", THINGSBOARD_TOPIC)

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
READING_KEYS = {"meter_id", "ts", "energy_kwh", "power_kw"}
POSITION_FIELDS = ("speed_kmh", "heading", "altitude", "ignition", "satellites", "odometer_km")

ReadingRow = tuple[str, datetime, float | None, float | None, dict[str, Any] | None, datetime]
PositionRow = tuple[
    str,
    datetime,
    float,
    float,
    float | None,
    float | None,
    float | None,
    bool | None,
    int | None,
    float | None,
    datetime,
]


class Rejected(Exception):
    """The message goes to the dead letters; ``kind`` labels the metric, ``reason`` is for humans."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    max_payload_bytes: int = 256 * 1024
    max_future_skew: timedelta = timedelta(minutes=5)


@dataclass(slots=True)
class Item:
    """One measurement before the registry is consulted; ``kind`` is None for ThingsBoard items."""

    kind: DeviceKind | None
    device_id: str
    values: dict[str, Any]


def _reject_constant(name: str) -> Any:
    raise Rejected("invalid", f"non-finite number {name} in payload")


def _loads(payload: bytes) -> Any:
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except Rejected:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise Rejected("not_json", f"payload is not JSON: {exc}"[:300]) from None
    except RecursionError:
        raise Rejected("not_json", "payload nests too deeply") from None


def _elements(data: Any, where: str) -> list[Any]:
    items = data if isinstance(data, list) else [data]
    if not items:
        raise Rejected("invalid", f"{where}: empty array")
    for i, element in enumerate(items):
        if not isinstance(element, dict):
            raise Rejected("invalid", f"{where}[{i}]: expected a JSON object, got {type(element).__name__}")
    return items


def decode(topic: str, payload: bytes, limits: Limits) -> list[Item]:
    """Stage 1: check size, JSON and topic; raises :class:`Rejected`."""
    if len(payload) > limits.max_payload_bytes:
        raise Rejected("oversize", f"payload of {len(payload)} bytes exceeds {limits.max_payload_bytes}")
    parts = topic.split("/")
    if len(parts) == 5 and parts[4] in ("readings", "positions"):
        kind: DeviceKind | None = None
        if (parts[0], parts[1], parts[2], parts[4]) == METER_TOPIC:
            kind = "meter"
        elif (parts[0], parts[1], parts[2], parts[4]) == VEHICLE_TOPIC:
            kind = "vehicle"
        if kind is not None and parts[3]:
            device_id = parts[3]
            id_key = "meter_id" if kind == "meter" else "vehicle_id"
            items = []
            for i, element in enumerate(_elements(_loads(payload), "payload")):
                claimed = element.get(id_key)
                if claimed is not None and claimed != device_id:
                    raise Rejected(
                        "id_mismatch", f"payload[{i}].{id_key}={str(claimed)[:64]!r} but the topic is for {device_id!r}"
                    )
                items.append(Item(kind, device_id, element))
            return items
    if topic == THINGSBOARD_TOPIC:
        data = _loads(payload)
        if not isinstance(data, dict) or not data:
            raise Rejected("invalid", 'ThingsBoard payload must be {"DEVICE": [{"ts": ms, "values": {...}}]}')
        items = []
        for device_id, entries in data.items():
            for i, entry in enumerate(_elements(entries, device_id)):
                values = entry.get("values", entry) if "ts" in entry else entry
                if not isinstance(values, dict):
                    raise Rejected("invalid", f"{device_id}[{i}].values must be an object")
                merged = {**values, "ts": entry["ts"]} if "ts" in entry else dict(values)
                items.append(Item(None, device_id, merged))
        return items
    raise Rejected("unknown_topic", f"topic {topic[:200]!r} is not part of the contract")


def _number(values: Mapping[str, Any], key: str, *, lo: float | None = None, hi: float | None = None) -> float | None:
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected("invalid", f"{key} must be a number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:
        raise Rejected("invalid", f"{key} is too large") from None
    if not math.isfinite(value):
        raise Rejected("invalid", f"{key} must be finite")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise Rejected("invalid", f"{key}={value} outside [{lo}, {hi}]")
    return value


def parse_ts(value: Any, received_at: datetime, limits: Limits) -> datetime:
    """Device time: epoch milliseconds or ISO 8601 with an offset; not before 2000, not in the future."""
    if value is None:
        raise Rejected("invalid", "ts is required")
    if isinstance(value, bool):
        raise Rejected("invalid", "ts must be epoch milliseconds or an ISO 8601 string")
    if isinstance(value, int | float):
        if abs(value) > 1e14 or not math.isfinite(value):
            raise Rejected("invalid", f"ts={value} is not epoch milliseconds")
        ts = datetime.fromtimestamp(value / 1000, UTC)
    elif isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            raise Rejected("invalid", f"ts={value[:40]!r} is not ISO 8601") from None
        if ts.tzinfo is None:
            raise Rejected("invalid", "ts must carry a UTC offset (e.g. +08:00 or Z)")
    else:
        raise Rejected("invalid", "ts must be epoch milliseconds or an ISO 8601 string")
    if ts < EARLIEST:
        raise Rejected("invalid", f"ts {ts.isoformat()} is before 2000 (seconds sent as milliseconds?)")
    if ts - received_at > limits.max_future_skew:
        raise Rejected("future_ts", f"ts {ts.isoformat()} is ahead of receipt time {received_at.isoformat()}")
    return ts


def reading_row(meter_id: str, values: Mapping[str, Any], received_at: datetime, limits: Limits) -> ReadingRow:
    ts = parse_ts(values.get("ts"), received_at, limits)
    energy = _number(values, "energy_kwh", lo=0)
    power = _number(values, "power_kw")
    extra: dict[str, Any] | None = None
    for key, value in values.items():
        if key in READING_KEYS:
            continue
        if isinstance(value, bool):
            pass
        elif isinstance(value, int | float):
            if isinstance(value, int) and abs(value) > 2**63:
                raise Rejected("invalid", f"{key[:64]} is too large")
            if not math.isfinite(value):
                raise Rejected("invalid", f"{key} must be finite")
        else:
            raise Rejected("invalid", f"channel {key[:64]!r} must be a number or a boolean")
        if extra is None:
            extra = {}
        extra[key[:64]] = value
    if energy is None and power is None and not extra:
        raise Rejected("invalid", "a reading needs energy_kwh, power_kw or another channel")
    return (meter_id, ts, energy, power, extra, received_at)


def position_row(vehicle_id: str, values: Mapping[str, Any], received_at: datetime, limits: Limits) -> PositionRow:
    ts = parse_ts(values.get("ts"), received_at, limits)
    lat = _number(values, "lat", lo=-90, hi=90)
    lon = _number(values, "lon", lo=-180, hi=180)
    if lat is None or lon is None:
        raise Rejected("invalid", "lat and lon are required")
    ignition = values.get("ignition")
    if ignition is not None and not isinstance(ignition, bool):
        raise Rejected("invalid", "ignition must be a boolean")
    satellites = values.get("satellites")
    if satellites is not None and (isinstance(satellites, bool) or not isinstance(satellites, int)):
        raise Rejected("invalid", "satellites must be an integer")
    if satellites is not None and not 0 <= satellites <= 200:
        raise Rejected("invalid", "satellites outside [0, 200]")
    return (
        vehicle_id,
        ts,
        lat,
        lon,
        _number(values, "speed_kmh", lo=0, hi=400),
        _number(values, "heading", lo=0, hi=360),
        _number(values, "altitude", lo=-500, hi=10000),
        ignition,
        satellites,
        _number(values, "odometer_km", lo=0),
        received_at,
    )


def build_rows(
    items: list[Item],
    kind_of: Callable[[str], DeviceKind | None],
    received_at: datetime,
    limits: Limits,
) -> tuple[list[ReadingRow], list[PositionRow]]:
    """Stage 2: rows of one message, checking that each device is registered as what it claims to be."""
    readings: list[ReadingRow] = []
    positions: list[PositionRow] = []
    for item in items:
        registered = kind_of(item.device_id)
        if registered is None:
            raise Rejected("unknown_device", f"device {item.device_id[:64]!r} is not registered")
        if item.kind is not None and item.kind != registered:
            raise Rejected("unknown_device", f"device {item.device_id[:64]!r} is a {registered}, not a {item.kind}")
        if registered == "meter":
            readings.append(reading_row(item.device_id, item.values, received_at, limits))
        else:
            positions.append(position_row(item.device_id, item.values, received_at, limits))
    return readings, positions
