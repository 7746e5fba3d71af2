"""The MQTT/HTTP contract as pure functions: topic + raw bytes -> items -> rows, or a dead-letter reason.

:func:`decode` runs first (size, strict UTF-8 JSON, topic shape); :func:`build_rows` runs once the
registry knows every device id (whether an id is a meter or a vehicle decides how a ThingsBoard item is
read), validating each item with :class:`houqin_common.schemas.ReadingPayload` / ``PositionPayload``:
the published contract is the validator. A message is accepted or rejected as a whole: it is also the
unit of acknowledgement.

Refused before anything reaches PostgreSQL (which would refuse them later and stall a batch): bytes
that are not UTF-8 (UTF-16/32 included), U+0000 and lone surrogates in any key or string, duplicate
keys (``{"lat": 91, "lat": 31.8}`` is ambiguous, not "last wins"), NaN/Infinity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from houqin_common.errors import VALIDATION_REASONS
from houqin_common.i18n import N_, Text, TextError
from houqin_common.schemas import AlarmPayload, PositionPayload, ReadingPayload

DeviceKind = Literal["meter", "vehicle", "panel"]

PREFIX = "houqin/v1"
THINGSBOARD_TOPIC = "v1/gateway/telemetry"
#: Topics the consumer subscribes to (prefixed with `$share/<group>/` when shared). The whole prefix, so
#: that a topic of no known shape is a dead letter (`unknown_topic`) instead of matching no subscription.
SUBSCRIPTIONS = (f"{PREFIX}/#", THINGSBOARD_TOPIC)

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
#: issue 26: (panel_id, zone, ts, event, test, restores, text, received_at) of ``telemetry.alarm_event``
AlarmRow = tuple[str, str, datetime, str, bool, str | None, str | None, datetime]
#: issue 26: the topic family of alarm panels, `houqin/v1/alarms/{panel_id}/events`
ALARM_COLLECTION, ALARM_LEAF = "alarms", "events"


class Rejected(Exception):
    """The message goes to the dead letters; ``kind`` labels the metric and is stored as the dead letter's
    code, ``parts`` are the reason for humans, kept as msgids + parameters so the reason reads in the
    language of whoever looks at it later (the consumer that writes it has no reader)."""

    def __init__(self, kind: str, reason: str | Text | Sequence[Text], /, **params: Any) -> None:
        if isinstance(reason, str):
            self.parts = [Text(reason, params)]
        elif isinstance(reason, Text):
            self.parts = [reason]
        else:
            self.parts = list(reason)
        self.kind = kind
        super().__init__(kind)

    @property
    def reason(self) -> str:
        """In English: the stored ``reason`` column (searchable, stable across catalog changes) and logs."""
        return storable("; ".join(p.english() for p in self.parts))

    def render(self) -> str:
        """In the current locale (the reader's)."""
        return storable("; ".join(p.render() for p in self.parts))

    def to_json(self) -> list[dict[str, Any]]:
        return [p.to_json() for p in self.parts]

    def __str__(self) -> str:
        return self.reason


def storable(text: str, limit: int = 1000) -> str:
    """Text PostgreSQL can always store: no U+0000, no lone surrogates (escaped), bounded length."""
    text = text[:limit]
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


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
    row: ReadingRow | PositionRow | AlarmRow | None = None
    """Already validated by :func:`fast_row` (the whole payload in pydantic-core): only the registry is left."""


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise Rejected("duplicate_key", N_("duplicate key {key} in a JSON object"), key=repr(key[:64]))
        if _bad_text(key) or (isinstance(value, str) and _bad_text(value)):
            raise Rejected("bad_text", N_("U+0000 or a lone surrogate in key or value of {key}"), key=repr(key[:64]))
        obj[key] = value
    return obj


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise Rejected("duplicate_key", N_("duplicate key {key} in a JSON object"), key=repr(key[:64]))
            seen.add(key)
    return obj


#: U+0000 and surrogates can only enter a decoded string through a ``\u`` escape: raw control characters
#: are not JSON and raw surrogates are not UTF-8. Only a payload with such an escape pays for the full check.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _reject_constant(name: str) -> Any:
    raise Rejected("invalid", N_("non-finite number {name} in payload"), name=name)


def loads(payload: bytes) -> Any:
    """Strict JSON: UTF-8 only, no duplicate keys, no NUL or lone surrogates, no NaN/Infinity."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(
            "not_utf8", N_("payload is not UTF-8 ({error} at byte {offset})"), error=exc.reason, offset=exc.start
        ) from None
    try:
        hook = _strict_object if _SUSPECT_ESCAPE.search(text) else _unique_keys
        return json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant)
    except Rejected:
        raise
    except ValueError as exc:
        if "\x00" in text:
            # a raw NUL is never JSON; UTF-16/32 without a BOM decodes as "UTF-8" full of them
            raise Rejected(
                "not_utf8", N_("payload is not UTF-8 (NUL bytes: UTF-16 or UTF-32 without a BOM?)")
            ) from None
        raise Rejected("not_json", N_("payload is not JSON: {error}"), error=str(exc)) from None
    except RecursionError:
        raise Rejected("not_json", N_("payload nests too deeply")) from None


def _elements(data: Any, where: str) -> list[Any]:
    items = data if isinstance(data, list) else [data]
    if not items:
        raise Rejected("invalid", N_("{where}: empty array"), where=where)
    for i, element in enumerate(items):
        if not isinstance(element, dict):
            raise Rejected(
                "invalid",
                N_("{where}[{i}]: expected a JSON object, got {type}"),
                where=where,
                i=i,
                type=type(element).__name__,
            )
    return items


_ADAPTERS: dict[DeviceKind, TypeAdapter[Any]] = {
    "meter": TypeAdapter(ReadingPayload),
    "vehicle": TypeAdapter(PositionPayload),
    "panel": TypeAdapter(AlarmPayload),
}
#: a key of a JSON object without escapes: with no backslash in the payload no string holds a quote
_KEY = re.compile(rb'"([^"]*)"\s*:')


def fast_row(
    kind: DeviceKind, device_id: str, payload: bytes, received_at: datetime, limits: Limits
) -> ReadingRow | PositionRow | AlarmRow | None:
    """The row of the common message (one flat object in ASCII, no escapes) validated whole by pydantic-core
    (``TypeAdapter.validate_json`` on the raw bytes): no Python-level JSON walk, no intermediate dict.

    None when the payload is anything else or invalid: :func:`decode` and :func:`build_rows` then take the
    strict path, which accepts and rejects the same and words the reason. Only what that path would accept
    is accepted here: ASCII is UTF-8, no backslash means no NUL or lone surrogate (only ``\\u`` escapes
    make them), one brace pair means one object whose keys the regex lists (duplicates refused), and
    ``NaN``/``Infinity`` anywhere (even inside a string) send the payload to the strict path.
    """
    if (
        not payload.isascii()
        or b"\\" in payload
        or payload.count(b"{") != 1
        or payload.count(b"}") != 1
        or b"NaN" in payload
        or b"Infinity" in payload
    ):
        return None
    keys = _KEY.findall(payload)
    if len(set(keys)) != len(keys):
        return None
    try:
        v = _ADAPTERS[kind].validate_json(
            payload, context={"received_at": received_at, "max_future_skew": limits.max_future_skew}
        )
    except ValidationError:
        return None
    if kind == "meter":
        if v.meter_id is not None and v.meter_id != device_id:
            return None
        return (device_id, v.ts, v.energy_kwh, v.power_kw, v.channels, received_at)
    if kind == "vehicle":
        if v.vehicle_id is not None and v.vehicle_id != device_id:
            return None
        return (
            device_id,
            v.ts,
            v.lat,
            v.lon,
            v.speed_kmh,
            v.heading,
            v.altitude,
            v.ignition,
            v.satellites,
            v.odometer_km,
            received_at,
        )
    if v.panel_id is not None and v.panel_id != device_id:
        return None
    if v.restores is not None and v.event != "restore":
        return None
    return (device_id, v.zone, v.ts, v.event, v.test, v.restores, v.text, received_at)


def decode(topic: str, payload: bytes, limits: Limits, received_at: datetime) -> list[Item]:
    """Check size, JSON and topic; raises :class:`Rejected`.

    A ThingsBoard item without ``ts`` (the gateway SDK's plain ``{"DEV": [{"energy_kwh": 1}]}``) takes
    the receipt time, ThingsBoard's own rule.
    """
    if len(payload) > limits.max_payload_bytes:
        raise Rejected(
            "oversize", N_("payload of {size} bytes exceeds {limit}"), size=len(payload), limit=limits.max_payload_bytes
        )
    parts = topic.split("/")
    if len(parts) == 5 and f"{parts[0]}/{parts[1]}" == PREFIX and parts[3]:
        kind: DeviceKind | None = None
        if parts[2] == "meters" and parts[4] == "readings":
            kind = "meter"
        elif parts[2] == "vehicles" and parts[4] == "positions":
            kind = "vehicle"
        elif parts[2] == ALARM_COLLECTION and parts[4] == ALARM_LEAF:
            kind = "panel"
        if kind is not None:
            device_id = parts[3]
            row = fast_row(kind, device_id, payload, received_at, limits)
            if row is not None:
                return [Item(kind, device_id, {}, row)]
            id_key = {"meter": "meter_id", "vehicle": "vehicle_id", "panel": "panel_id"}[kind]
            items = []
            for i, element in enumerate(_elements(loads(payload), "payload")):
                claimed = element.get(id_key)
                if claimed is not None and claimed != device_id:
                    raise Rejected(
                        "id_mismatch",
                        N_("payload[{i}].{key}={claimed} but the topic is for {device}"),
                        i=i,
                        key=id_key,
                        claimed=repr(str(claimed)[:64]),
                        device=repr(device_id),
                    )
                items.append(Item(kind, device_id, element))
            return items
    if topic == THINGSBOARD_TOPIC:
        data = loads(payload)
        if not isinstance(data, dict) or not data:
            raise Rejected(
                "invalid", Text.verbatim('ThingsBoard payload must be {"DEVICE": [{"ts": ms, "values": {...}}]}')
            )
        items = []
        for device_id, entries in data.items():
            for i, entry in enumerate(_elements(entries, device_id[:64])):
                values = entry.get("values", entry) if ("ts" in entry or "values" in entry) else entry
                if not isinstance(values, dict):
                    raise Rejected("invalid", N_("{where}[{i}].values must be an object"), where=device_id[:64], i=i)
                merged = dict(values)
                merged["ts"] = entry.get("ts", received_at)
                items.append(Item(None, device_id, merged))
        return items
    raise Rejected("unknown_topic", N_("topic {topic} is not part of the contract"), topic=repr(topic[:200]))


#: pydantic error types raised by the payload models themselves
_PAYLOAD_REASONS = {"future_ts": N_("ts {ts} is ahead of receipt time {received_at}")}


def _error_text(err: Mapping[str, Any]) -> Text:
    """One pydantic error as a storable :class:`Text` (the same wording as an HTTP 422's reason)."""
    ctx = err.get("ctx") or {}
    raised = ctx.get("error")
    if isinstance(raised, TextError):
        return raised.text
    template = _PAYLOAD_REASONS.get(err["type"]) or VALIDATION_REASONS.get(err["type"])
    if template is None:
        return Text.verbatim(str(err["msg"]).removeprefix("Value error, "))
    return Text(template, {k: str(v) for k, v in ctx.items()})


def _reason(exc: ValidationError) -> tuple[str, list[Text]]:
    errors = exc.errors(include_url=False, include_input=False)
    kind = "future_ts" if any(e["type"] == "future_ts" for e in errors) else "invalid"
    parts = []
    for e in errors[:3]:
        where = ".".join(str(p)[:64] for p in e["loc"])
        text = _error_text(e)
        parts.append(Text(N_("{where}: {reason}"), {"where": where, "reason": text}) if where else text)
    return kind, parts


def reading_row(meter_id: str, values: dict[str, Any], received_at: datetime, limits: Limits) -> ReadingRow:
    try:
        r = ReadingPayload.model_validate(
            values, context={"received_at": received_at, "max_future_skew": limits.max_future_skew}
        )
    except ValidationError as exc:
        raise Rejected(*_reason(exc)) from None
    return (meter_id, r.ts, r.energy_kwh, r.power_kw, r.channels, received_at)


def position_row(vehicle_id: str, values: dict[str, Any], received_at: datetime, limits: Limits) -> PositionRow:
    try:
        p = PositionPayload.model_validate(
            values, context={"received_at": received_at, "max_future_skew": limits.max_future_skew}
        )
    except ValidationError as exc:
        raise Rejected(*_reason(exc)) from None
    return (
        vehicle_id,
        p.ts,
        p.lat,
        p.lon,
        p.speed_kmh,
        p.heading,
        p.altitude,
        p.ignition,
        p.satellites,
        p.odometer_km,
        received_at,
    )


def alarm_row(panel_id: str, values: dict[str, Any], received_at: datetime, limits: Limits) -> AlarmRow:
    """Issue 26: one alarm event through :class:`houqin_common.schemas.AlarmPayload` into its row."""
    try:
        a = AlarmPayload.model_validate(
            values, context={"received_at": received_at, "max_future_skew": limits.max_future_skew}
        )
    except ValidationError as exc:
        raise Rejected(*_reason(exc)) from None
    if a.restores is not None and a.event != "restore":
        raise Rejected("invalid", N_("restores is only for a restore event"))
    return (panel_id, a.zone, a.ts, a.event, a.test, a.restores, a.text, received_at)


def build_alarm_rows(
    items: list[Item], kind_of: Callable[[str], DeviceKind | None], received_at: datetime, limits: Limits
) -> list[AlarmRow]:
    """Issue 26: the alarm rows of a message on `houqin/v1/alarms/{panel_id}/events` (its panel registered)."""
    rows: list[AlarmRow] = []
    for item in items:
        if item.kind != "panel":
            continue
        if kind_of(item.device_id) != "panel":
            raise Rejected(
                "unknown_device", N_("alarm panel {device} is not registered"), device=repr(item.device_id[:64])
            )
        row = item.row
        rows.append(row if row is not None else alarm_row(item.device_id, item.values, received_at, limits))  # type: ignore[arg-type]
    return rows


def build_rows(
    items: list[Item],
    kind_of: Callable[[str], DeviceKind | None],
    received_at: datetime,
    limits: Limits,
) -> tuple[list[ReadingRow], list[PositionRow]]:
    """Rows of one message, checking that each device is registered as what it claims to be."""
    readings: list[ReadingRow] = []
    positions: list[PositionRow] = []
    for item in items:
        if item.kind == "panel":
            continue  # issue 26: alarm events, built by build_alarm_rows
        registered = kind_of(item.device_id)
        if registered == "panel":
            registered = None  # a panel publishes on its own topic family only
        if registered is None:
            raise Rejected("unknown_device", N_("device {device} is not registered"), device=repr(item.device_id[:64]))
        if item.kind is not None and item.kind != registered:
            raise Rejected(
                "unknown_device",
                N_("device {device} is a {registered}, not a {claimed}"),
                device=repr(item.device_id[:64]),
                registered=registered,
                claimed=item.kind,
            )
        row = item.row
        if registered == "meter":
            readings.append(row if row is not None else reading_row(item.device_id, item.values, received_at, limits))  # type: ignore[arg-type]
        else:
            positions.append(row if row is not None else position_row(item.device_id, item.values, received_at, limits))  # type: ignore[arg-type]
    return readings, positions
