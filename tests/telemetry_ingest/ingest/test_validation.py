import json
from datetime import UTC, datetime, timedelta

import pytest

from telemetry_ingest.ingest.validation import Limits, Rejected, build_rows, decode

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LIMITS = Limits(max_payload_bytes=1000, max_future_skew=timedelta(minutes=5))
KINDS = {"m1": "meter", "v1": "vehicle"}


def rows(topic: str, payload: bytes):  # type: ignore[no-untyped-def]
    return build_rows(decode(topic, payload, LIMITS), KINDS.get, NOW, LIMITS)  # type: ignore[arg-type]


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
        ("v1/gateway/telemetry", b'{"v1": [{"ts": 1780000000000, "values": 5}]}', "invalid"),
        ("v1/gateway/telemetry", b'{"ghost": [{"ts": 1780000000000, "values": {"energy_kwh": 1}}]}', "unknown_device"),
    ],
)
def test_rejections(topic: str, payload: bytes, kind: str) -> None:
    with pytest.raises(Rejected) as info:
        rows(topic, payload)
    assert info.value.kind == kind
