"""JT/T 808 codec against byte sequences written out field by field from the standard's tables."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import pytest

from telemetry_ingest.jt808 import codec
from telemetry_ingest.jt808.codec import FrameError


def hx(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# 0x0200 of a 2013 terminal, phone 013800519001, serial 7, every field spelled out.
LOCATION_2013_BODY = hx(
    "00000004"  # alarm flags: bit 2 fatigue driving
    "00000003"  # status: bit 0 ACC on, bit 1 positioned, north, east
    "01E56428"  # latitude 31.810600 * 1e6
    "0726A8D4"  # longitude 119.974100 * 1e6
    "002D"  # altitude 45 m
    "020B"  # speed 523 * 0.1 km/h
    "005A"  # heading 90
    "260706083000"  # BCD time 2026-07-06 08:30:00 GMT+8
    "01 04 0012D687"  # 0x01 mileage 1234567 * 0.1 km
    "02 02 01C8"  # 0x02 fuel 456 * 0.1 L
    "30 01 1F"  # 0x30 signal strength 31
    "31 01 0C"  # 0x31 GNSS satellites 12
    "E1 02 ABCD"  # a vendor item the gateway does not know: kept raw
)
LOCATION_2013_HEADER = hx("0200 0030 013800519001 0007")  # id, attributes (length 48), BCD[6] phone, serial
LOCATION_2013_FRAME = b"\x7e" + LOCATION_2013_HEADER + LOCATION_2013_BODY + b"\x47\x7e"  # 0x47: XOR check code


def test_location_frame_of_a_2013_terminal_decodes_every_field() -> None:
    [content] = codec.Splitter().feed(LOCATION_2013_FRAME)
    message = codec.parse(codec.unframe(content))
    h = message.header
    assert (h.msg_id, h.phone, h.serial, h.edition, h.segmented) == (0x0200, "013800519001", 7, 2013, False)
    loc = codec.parse_location(message.body)
    assert loc.alarm == 4 and loc.acc_on and loc.positioned
    assert (loc.lat, loc.lon, loc.altitude, loc.speed_kmh, loc.heading) == (31.8106, 119.9741, 45, 52.3, 90)
    assert loc.ts == datetime(2026, 7, 6, 0, 30, tzinfo=UTC)
    assert (loc.mileage_km, loc.fuel_l, loc.signal, loc.satellites) == (123456.7, 45.6, 31, 12)
    assert loc.extra == {0xE1: b"\xab\xcd"}


def test_location_encoding_reproduces_the_written_out_bytes() -> None:
    loc = codec.parse_location(LOCATION_2013_BODY)
    assert codec.encode_location(loc) == LOCATION_2013_BODY
    assert codec.build(0x0200, "013800519001", 7, LOCATION_2013_BODY) == LOCATION_2013_FRAME


def test_southern_and_western_hemisphere_bits_sign_the_coordinates() -> None:
    body = bytearray(LOCATION_2013_BODY[:28])
    body[4:8] = hx("0000000F")  # status: ACC, positioned, bit 2 south, bit 3 west
    loc = codec.parse_location(bytes(body))
    assert (loc.lat, loc.lon) == (-31.8106, -119.9741)
    body[4:8] = hx("00000001")  # ACC on, positioning not valid
    loc = codec.parse_location(bytes(body))
    assert loc.acc_on and not loc.positioned and loc.lat > 0


def test_escaping_both_ways() -> None:
    # heartbeat whose serial 0x7E7D contains both the flag and the escape byte
    frame = hx("7E 0002 0000 013800519001 7D02 7D01 F8 7E")
    assert codec.build(0x0002, "013800519001", 0x7E7D, b"") == frame
    assert codec.escape(hx("307E087D55")) == hx("307D02087D0155")
    assert codec.unescape(hx("307D02087D0155")) == hx("307E087D55")
    [content] = codec.Splitter().feed(frame)
    assert codec.parse(codec.unframe(content)).header.serial == 0x7E7D


def test_check_code_mismatch_and_bad_escapes_are_frame_errors() -> None:
    good = LOCATION_2013_FRAME[1:-1]
    assert codec.unframe(good)  # positive control
    with pytest.raises(FrameError, match="check code"):
        codec.unframe(good[:-1] + b"\x48")
    with pytest.raises(FrameError, match="escape"):
        codec.unescape(hx("307D03"))
    with pytest.raises(FrameError, match="body is"):
        codec.parse(hx("0200 0030 013800519001 0007") + b"\x00" * 10)


def test_header_of_the_2019_edition() -> None:
    # id, attributes (bit 14 version flag, length 0), protocol version 1, BCD[10] phone, serial 1
    frame = hx("7E 0002 4000 01 00000000013800519001 0001 BB 7E")
    [content] = codec.Splitter().feed(frame)
    h = codec.parse(codec.unframe(content)).header
    assert (h.msg_id, h.edition, h.version, h.phone, h.serial) == (0x0002, 2019, 1, "00000000013800519001", 1)
    assert codec.normalise_phone(h.phone) == codec.normalise_phone("013800519001") == "13800519001"
    assert codec.build(0x0002, "13800519001", 1, b"", edition=2019) == frame


def test_platform_replies_use_the_terminal_edition() -> None:
    h2019 = codec.Header(0x0200, "00000000013800519001", 9, 2019, 1)
    reply = codec.reply_to(h2019, 0x8001, 3, codec.general_response(9, 0x0200, 0))
    message = codec.parse(codec.unframe(reply[1:-1]))
    assert message.header.edition == 2019 and message.header.phone == "00000000013800519001"
    # 0x8001 body: reply serial WORD, reply id WORD, result BYTE
    assert message.body == hx("0009 0200 00")
    assert codec.parse_general_response(message.body) == (9, 0x0200, 0)


def test_stream_splitting_across_reads_and_noise() -> None:
    hb = codec.build(0x0002, "013800519001", 1, b"")
    stream = b"\x00\x01" + hb + LOCATION_2013_FRAME + hb
    splitter = codec.Splitter()
    got = []
    for i in range(0, len(stream), 7):  # arbitrary TCP segment boundaries
        got += splitter.feed(stream[i : i + 7])
    assert [codec.parse(codec.unframe(c)).header.msg_id for c in got] == [0x0002, 0x0200, 0x0002]
    assert splitter.dropped == 2


def test_a_stray_flag_garbage_and_a_split_frame_cost_no_valid_frame() -> None:
    """A stray 0x7e before a frame (``7e 01 02 04`` then a valid frame) used to swallow that frame."""
    hb = codec.build(0x0002, "013800519001", 1, b"")
    stream = b"\x7e\x01\x02\x04" + LOCATION_2013_FRAME + b"\xff\x00garbage" + hb + b"\x7e" + hb
    splitter = codec.Splitter()
    got = []
    for i in range(0, len(stream), 5):  # every frame split across reads
        got += splitter.feed(stream[i : i + 5])
    readable = []
    for content in got:
        try:
            readable.append(codec.parse(codec.unframe(content)).header.msg_id)
        except FrameError:
            continue
    assert readable == [0x0200, 0x0002, 0x0002]
    assert len(got) > len(readable)  # positive control: the stray flag did make an unreadable candidate


def test_registration_bodies_of_both_editions() -> None:
    body_2013 = (
        hx("0020 0191")  # province 32 (Jiangsu), city 401
        + b"HQBD\x00"  # manufacturer BYTE[5]
        + b"T808".ljust(20, b"\x00")  # model BYTE[20]
        + b"A1B2C3D"  # terminal id BYTE[7]
        + hx("01")  # plate colour: blue
        + "苏D8G276".encode("gbk")
    )
    reg = codec.parse_registration(body_2013, 2013)
    assert (reg.province, reg.city, reg.manufacturer, reg.model, reg.terminal_id) == (
        32,
        401,
        "HQBD",
        "T808",
        "A1B2C3D",
    )
    assert (reg.plate_color, reg.plate) == (1, "苏D8G276")
    assert codec.encode_registration(reg, 2013) == body_2013
    body_2019 = (
        (hx("0020 0191") + b"HQBD".ljust(11, b"\x00") + b"T808".ljust(30, b"\x00") + b"A1B2C3D".ljust(30, b"\x00"))
        + hx("01")
        + "苏D8G276".encode("gbk")
    )
    assert codec.parse_registration(body_2019, 2019) == reg
    with pytest.raises(FrameError):
        codec.parse_registration(body_2013[:20], 2013)


def test_registration_response_and_authentication_bodies() -> None:
    # 0x8100: reply serial WORD, result BYTE, authentication code STRING (success only)
    assert codec.register_response(5, 0, "abc") == hx("0005 00 616263")
    assert codec.register_response(5, 4, "abc") == hx("0005 04")
    assert codec.parse_register_response(hx("0005 00 616263")) == (5, 0, "abc")
    # 0x0102 of 2013: the code; of 2019: length BYTE, code, IMEI BYTE[15], software version BYTE[20]
    assert codec.parse_authentication(b"abc", 2013) == "abc"
    body_2019 = hx("03 616263") + b"861234567890123" + b"V1.0".ljust(20, b"\x00")
    assert codec.parse_authentication(body_2019, 2019) == "abc"
    assert codec.encode_authentication("abc", 2019, "861234567890123", "V1.0") == body_2019


def test_batch_upload_with_blind_area_backfill() -> None:
    item = LOCATION_2013_BODY[:28]
    body = hx("0002 01") + struct.pack(">H", 28) + item + struct.pack(">H", 28) + item  # count, type 1 blind area
    batch = codec.parse_batch(body)
    assert batch.backfill and len(batch.locations) == 2
    assert batch.locations[0].lat == 31.8106 and batch.locations[1].mileage_km is None
    normal = codec.parse_batch(hx("0001 00") + struct.pack(">H", 28) + item)
    assert not normal.backfill and len(normal.locations) == 1
    assert codec.encode_batch(batch.locations, backfill=True) == body
    with pytest.raises(FrameError, match="after its"):
        codec.parse_batch(hx("0001 00") + struct.pack(">H", 28) + item + b"\x00")
    with pytest.raises(FrameError, match="data type"):
        codec.parse_batch(hx("0001 02") + struct.pack(">H", 28) + item)


def test_additional_items_with_a_wrong_length_are_refused() -> None:
    body = LOCATION_2013_BODY[:28] + hx("31 02 000C")  # satellites is one BYTE
    with pytest.raises(FrameError, match="0x31"):
        codec.parse_location(body)
    with pytest.raises(FrameError, match="truncated"):
        codec.parse_location(LOCATION_2013_BODY[:28] + hx("01 04 0012"))


def test_segmented_message_is_reassembled_from_sub_packages() -> None:
    body = codec.encode_batch([codec.parse_location(LOCATION_2013_BODY)] * 25, backfill=True)  # 3 + 25 * 50 bytes
    frames = codec.build_segmented(0x0704, "013800519001", 0x20, body, chunk=500)
    assert len(frames) == 3
    # header of sub-package 2: attributes bit 13 + length 500, serial 0x21, total 3, index 2
    assert codec.unframe(frames[1][1:-1])[:16] == hx("0704 21F4 013800519001 0021 0003 0002")
    reassembler = codec.Reassembler()
    results = []
    for raw in (frames[2], frames[0], frames[1]):  # any order
        message = codec.parse(codec.unframe(raw[1:-1]))
        assert message.header.segmented
        results.append(reassembler.add(message, 0.0))
    assert results[:2] == [None, None]
    assert results[2] is not None
    whole, headers = results[2]
    assert whole.body == body and whole.header.serial == 0x20
    assert [h.serial for h in headers] == [0x20, 0x21, 0x22]
    assert len(codec.parse_batch(whole.body).locations) == 25


def test_incomplete_sub_packages_expire() -> None:
    frames = codec.build_segmented(0x0704, "013800519001", 1, b"\x00" * 900, chunk=500)
    reassembler = codec.Reassembler(max_age=60)
    first, second = (codec.parse(codec.unframe(f[1:-1])) for f in frames)
    assert reassembler.add(first, 0.0) is None
    assert reassembler.add(second, 61.0) is None  # the first part expired: still waiting for it
    assert reassembler.add(first, 62.0) is not None  # positive control: a retransmission completes it


def test_position_payload_is_what_the_ingest_validates() -> None:
    from datetime import timedelta

    from telemetry_ingest.ingest.validation import Limits, position_row

    loc = codec.parse_location(LOCATION_2013_BODY)
    payload = codec.position_payload(loc, "V-001")
    row = position_row("V-001", payload, datetime(2026, 7, 6, 1, tzinfo=UTC), Limits(max_future_skew=timedelta(0)))
    assert row[:10] == (
        "V-001",
        datetime(2026, 7, 6, 0, 30, tzinfo=UTC),
        31.8106,
        119.9741,
        52.3,
        90.0,
        45.0,
        True,
        12,
        123456.7,
    )
    assert payload["jt808"] == {
        "alarm": 4,
        "status": 3,
        "positioned": True,
        "fuel_l": 45.6,
        "signal": 31,
        "items": {"0xe1": "abcd"},
    }


def test_sorting_rule_for_reports_without_a_fix_or_outside_the_contract() -> None:
    from datetime import timedelta

    from telemetry_ingest.ingest.validation import Limits
    from telemetry_ingest.jt808.server import sort_reports

    fixed = codec.parse_location(LOCATION_2013_BODY)
    no_fix = codec.parse_location(LOCATION_2013_BODY)
    no_fix.status &= ~codec.POSITIONED
    future = codec.parse_location(LOCATION_2013_BODY)
    future.ts = datetime(2026, 7, 6, 2, tzinfo=UTC)  # an hour after receipt
    received = datetime(2026, 7, 6, 1, tzinfo=UTC)
    limits = Limits(max_future_skew=timedelta(minutes=5))

    def sort(no_fix_rule: str) -> Any:
        return sort_reports(
            [fixed, no_fix, future],
            vehicle_id="V-1",
            received_at=received,
            limits=limits,
            no_fix=no_fix_rule,
            topic="t",
        )

    kept = sort("dead_letter")
    assert kept.keys == [("V-1", fixed.ts)]
    assert [(d.kind, d.source, d.topic) for d in kept.dead] == [("no_fix", "jt808", "t"), ("future_ts", "jt808", "t")]
    assert b'"positioned": false' in kept.dead[0].payload
    stored = sort("store")
    assert [p["jt808"]["positioned"] for p in stored.payloads] == [True, False]
    assert [d.kind for d in stored.dead] == ["future_ts"]
