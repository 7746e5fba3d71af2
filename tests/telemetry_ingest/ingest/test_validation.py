import json
from datetime import UTC, datetime, timedelta

import pytest

from telemetry_ingest.ingest.validation import Limits, Rejected, build_rows, decode, storable

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LIMITS = Limits(max_payload_bytes=1000, max_future_skew=timedelta(minutes=5))
KINDS = {"m1": "meter", "v1": "vehicle"}


def rows(topic: str, payload: bytes):  # type: ignore[no-untyped-def]
    return build_rows(decode(topic, payload, LIMITS, NOW), KINDS.get, NOW, LIMITS)  # type: ignore[arg-type]


def test_native_reading_with_extra_channels() -> None:
    readings, positions = rows(
        "houqin/v1/meters/m1/readings", b'{"ts": "2026-11-27T15:59:00+08:00", "power_kw": 2, "pf": 0.9}'
    )
    assert positions == []
    assert readings == [("m1", datetime(2026, 11, 27, 7, 59, tzinfo=UTC), None, 2.0, {"pf": 0.9}, NOW)]


def test_backlog_array_and_epoch_ms() -> None:
    ms = int(NOW.timestamp() * 1000)
    readings, _ = rows(
        "houqin/v1/meters/m1/readings",
        f'[{{"ts": {ms}, "energy_kwh": 1}}, {{"ts": {ms - 1000}, "energy_kwh": 0.5}}]'.encode(),
    )
    assert [r[1] for r in readings] == [NOW, NOW - timedelta(seconds=1)]


def test_thingsboard_item_is_read_as_the_registered_kind() -> None:
    ms = int(NOW.timestamp() * 1000)
    payload = json.dumps(
        {"v1": [{"ts": ms, "values": {"lat": 31.8, "lon": 119.9}}], "m1": [{"ts": ms, "values": {"energy_kwh": 3}}]}
    )
    readings, positions = rows("v1/gateway/telemetry", payload.encode())
    assert positions[0][:4] == ("v1", NOW, 31.8, 119.9)
    assert readings[0][2] == 3.0


def test_late_data_is_accepted_and_small_skew_tolerated() -> None:
    late = (NOW - timedelta(days=30)).isoformat()
    early = (NOW + timedelta(minutes=4)).isoformat()
    for ts in (late, early):
        readings, _ = rows("houqin/v1/meters/m1/readings", f'{{"ts": "{ts}", "energy_kwh": 1}}'.encode())
        assert len(readings) == 1


@pytest.mark.parametrize(
    ("topic", "payload", "kind"),
    [
        ("houqin/v1/meters/m1/readings", b"x" * 1001, "oversize"),
        ("houqin/v1/meters/m1/readings", b"{", "not_json"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": NaN}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": true, "energy_kwh": 1}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000, "energy_kwh": 1}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": -1}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": true}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "note": "x"}', "invalid"),
        ("houqin/v1/meters/m1/readings", b"[]", "invalid"),
        ("houqin/v1/meters/m2/readings", b'{"ts": 1780000000000, "energy_kwh": 1}', "unknown_device"),
        ("houqin/v1/vehicles/m1/positions", b'{"ts": 1780000000000, "lat": 1, "lon": 1}', "unknown_device"),
        ("houqin/v1/meters/m1/readings", b'{"meter_id": "m9", "ts": 1780000000000, "energy_kwh": 1}', "id_mismatch"),
        ("houqin/v1/meters/m1/readings", b'{"ts": "2026-11-27T08:06:00Z", "energy_kwh": 1}', "future_ts"),
        ("houqin/v1/vehicles/v1/positions", b'{"ts": 1780000000000, "lat": -90.1, "lon": 1}', "invalid"),
        ("houqin/v1/vehicles/v1/positions", b'{"ts": 1780000000000, "lat": 1}', "invalid"),
        ("houqin/v1/vehicles/v1/positions", b'{"ts": 1780000000000, "lat": 1, "lon": 1, "satellites": 2.5}', "invalid"),
        ("houqin/v1/vehicles/v1/positions", b'{"ts": 1780000000000, "lat": 1, "lon": 1, "speed_kmh": 900}', "invalid"),
        ("houqin/v1/other/v1/positions", b"{}", "unknown_topic"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": 1e400}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": 1' + b"0" * 400 + b"}", "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "kvar": 1' + b"0" * 400 + b"}", "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1' + b"0" * 400 + b', "energy_kwh": 1}', "invalid"),
        ("v1/gateway/telemetry", b"[]", "invalid"),
        # what PostgreSQL would refuse later (and used to stall the pipeline): refused here
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "a\\u0000b": 1}', "bad_text"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "x": "\\u0000"}', "bad_text"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "\\ud800": 1}', "bad_text"),
        ("v1/gateway/telemetry", b'{"m\\ud800": [{"ts": 1780000000000, "values": {"energy_kwh": 1}}]}', "bad_text"),
        ("v1/gateway/telemetry", b'{"m\\u0000": [{"energy_kwh": 1}]}', "bad_text"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "\xed\xa0\x80": 1}', "not_utf8"),
        (
            "houqin/v1/vehicles/v1/positions",
            b'{"ts": 1780000000000, "lat": 91, "lat": 31.8, "lon": 1}',
            "duplicate_key",
        ),
        ("houqin/v1/meters/m1/readings", '{"ts": 1780000000000, "energy_kwh": 1}'.encode("utf-16"), "not_utf8"),
        ("houqin/v1/meters/m1/readings", '{"ts": 1780000000000, "energy_kwh": 1}'.encode("utf-32-le"), "not_utf8"),
        # without a BOM, UTF-16 of ASCII text is valid UTF-8 full of NULs: still not UTF-8 JSON (docs/mqtt.md)
        ("houqin/v1/meters/m1/readings", '{"ts": 1780000000000, "energy_kwh": 1}'.encode("utf-16-le"), "not_utf8"),
        ("houqin/v1/meters/m1/readings", '{"ts": 1780000000000, "energy_kwh": 1}'.encode("utf-16-be"), "not_utf8"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": 1', "not_json"),
        ("houqin/v1/meters/m1/readings/extra", b'{"ts": 1780000000000, "energy_kwh": 1}', "unknown_topic"),
        ("houqin/v1/meters//readings", b'{"ts": 1780000000000, "energy_kwh": 1}', "unknown_topic"),
        ("houqin/v1/meters/m1/readings", b'{"ts": "2026-01-01T00:00:00", "energy_kwh": 1}', "invalid"),
        ("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": "12"}', "invalid"),
        ("v1/gateway/telemetry", b'{"v1": [{"ts": 1780000000000, "values": 5}]}', "invalid"),
        ("v1/gateway/telemetry", b'{"ghost": [{"ts": 1780000000000, "values": {"energy_kwh": 1}}]}', "unknown_device"),
    ],
)
def test_rejections(topic: str, payload: bytes, kind: str) -> None:
    with pytest.raises(Rejected) as info:
        rows(topic, payload)
    assert info.value.kind == kind


def test_thingsboard_item_without_ts_takes_the_receipt_time() -> None:
    readings, positions = rows(
        "v1/gateway/telemetry", b'{"m1": [{"energy_kwh": 1}], "v1": [{"lat": 31.8, "lon": 119.9}]}'
    )
    assert readings == [("m1", NOW, 1.0, None, None, NOW)]
    assert positions[0][:4] == ("v1", NOW, 31.8, 119.9)


def test_a_valid_surrogate_pair_is_not_a_lone_surrogate() -> None:
    readings, _ = rows("houqin/v1/meters/m1/readings", b'{"ts": 1780000000000, "energy_kwh": 1, "\\ud83d\\ude00": 2}')
    assert readings[0][4] == {"\U0001f600": 2}


def test_position_without_speed_stores_null_not_zero() -> None:
    _, positions = rows("houqin/v1/vehicles/v1/positions", b'{"ts": 1780000000000, "lat": 1, "lon": 2}')
    assert positions[0][4] is None


def test_reasons_are_storable_text() -> None:
    with pytest.raises(Rejected) as info:
        rows("v1/gateway/telemetry", b'{"ghost\\ud800x": [{"energy_kwh": 1}]}')
    info.value.reason.encode("utf-8")  # raises if a lone surrogate leaked into the reason
    assert "\x00" not in storable("a\x00b") and storable("a\ud800").encode()


def test_ingest_payload_limit_sits_below_the_shipped_broker_packet_limit() -> None:
    """Between the two a payload is an `oversize` dead letter; above the broker's, the publisher is disconnected."""
    from pathlib import Path

    from telemetry_ingest.settings import Settings

    conf = Path(__file__).resolve().parents[3] / "services/telemetry-ingest/mosquitto/houqin.conf"
    packet = next(int(line.split()[1]) for line in conf.read_text().splitlines() if line.startswith("max_packet_size"))
    assert Settings().max_payload_bytes < packet


def test_alarm_events_become_alarm_rows_of_a_registered_panel() -> None:
    from telemetry_ingest.ingest.validation import build_alarm_rows

    kinds = {"FP-01": "panel", "M-1": "meter"}
    topic = "houqin/v1/alarms/FP-01/events"
    payload = (
        b'[{"ts": 1780000000000, "zone": "Z-3F-07", "event": "fault", "text": "smoke"},'
        b' {"ts": 1780000060000, "zone": "Z-3F-07", "event": "restore", "restores": "fault", "test": false}]'
    )
    items = decode(topic, payload, LIMITS, NOW)
    rows = build_alarm_rows(items, kinds.get, NOW, LIMITS)  # type: ignore[arg-type]
    assert [(r[0], r[1], r[3], r[5]) for r in rows] == [
        ("FP-01", "Z-3F-07", "fault", None),
        ("FP-01", "Z-3F-07", "restore", "fault"),
    ]
    assert build_rows(items, kinds.get, NOW, LIMITS) == ([], [])  # type: ignore[arg-type]
    for bad, kind in (
        (b'{"ts": 1780000000000, "zone": "Z1", "event": "explosion"}', "invalid"),
        (b'{"ts": 1780000000000, "zone": "Z1", "event": "fault", "restores": "fault"}', "invalid"),
        (b'{"ts": 1780000000000, "zone": "Z1", "event": "fault", "panel_id": "FP-02"}', "id_mismatch"),
    ):
        with pytest.raises(Rejected) as exc:
            build_alarm_rows(decode(topic, bad, LIMITS, NOW), kinds.get, NOW, LIMITS)  # type: ignore[arg-type]
        assert exc.value.kind == kind
    with pytest.raises(Rejected) as unknown:
        good = b'{"ts": 1780000000000, "zone": "Z1", "event": "fault"}'
        meter_as_panel = decode("houqin/v1/alarms/M-1/events", good, LIMITS, NOW)
        build_alarm_rows(meter_as_panel, kinds.get, NOW, LIMITS)  # type: ignore[arg-type]
    assert unknown.value.kind == "unknown_device"


FAST_CASES = [
    ("meter", "m1", b'{"ts": 1795766400000, "energy_kwh": 1.5, "power_kw": 2, "pf": 0.9}'),
    ("meter", "m1", b'{"meter_id": "m1", "ts": "2026-11-27T15:59:00+08:00", "on": true}'),
    ("vehicle", "v1", b'{"ts": 1795766400000, "lat": 31.8, "lon": 119.9, "speed_kmh": 0, "satellites": 9}'),
    ("panel", "p1", b'{"ts": 1795766400000, "zone": "Z-1", "event": "restore", "restores": "fault"}'),
]


@pytest.mark.parametrize(("kind", "device", "payload"), FAST_CASES)
def test_the_pydantic_core_path_gives_the_rows_of_the_strict_path(kind: str, device: str, payload: bytes) -> None:
    """Issue 24: the common message is validated whole by ``validate_json`` into the same row as the strict path."""
    from telemetry_ingest.ingest.validation import alarm_row, fast_row, loads, position_row, reading_row

    fast = fast_row(kind, device, payload, NOW, LIMITS)  # type: ignore[arg-type]
    strict = {"meter": reading_row, "vehicle": position_row, "panel": alarm_row}[kind](
        device, loads(payload), NOW, LIMITS
    )
    assert fast is not None
    assert fast == strict


@pytest.mark.parametrize(
    "payload",
    [
        b'{"ts": 1795766400000, "energy_kwh": 1, "energy_kwh": 2}',  # duplicate key: refused, not last-wins
        b'{"ts": 1795766400000, "energy_kwh": NaN}',
        b'{"ts": 1795766400000, "energy_kwh": 1, "note": "\\u0000"}',
        b'{"ts": 1795766400000, "energy_kwh": -1}',  # invalid: the strict path words the reason
        b'{"meter_id": "m2", "ts": 1795766400000, "energy_kwh": 1}',  # another meter's id
        b'[{"ts": 1795766400000, "energy_kwh": 1}]',  # a list: the strict path
        '{"ts": 1795766400000, "energy_kwh": 1, "名": 1}'.encode(),
    ],
)
def test_anything_but_the_plain_valid_object_takes_the_strict_path(payload: bytes) -> None:
    from telemetry_ingest.ingest.validation import fast_row

    assert fast_row("meter", "m1", payload, NOW, LIMITS) is None
    # positive control: the same shape, plain and valid, is taken by the fast path
    assert fast_row("meter", "m1", b'{"ts": 1795766400000, "energy_kwh": 1}', NOW, LIMITS) is not None


def test_a_duplicate_key_is_still_a_dead_letter_on_the_common_shape() -> None:
    with pytest.raises(Rejected) as exc:
        rows("houqin/v1/meters/m1/readings", b'{"ts": 1795766400000, "energy_kwh": 1, "energy_kwh": 2}')
    assert exc.value.kind == "duplicate_key"
