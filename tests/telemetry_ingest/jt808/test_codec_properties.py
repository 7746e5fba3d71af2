"""Properties of the codec over generated input: round trips, and arbitrary bytes only ever raise FrameError."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from telemetry_ingest.jt808 import codec
from telemetry_ingest.jt808.codec import FrameError


@given(st.binary(max_size=300))
def test_escaping_round_trips_and_leaves_no_flag_inside(raw: bytes) -> None:
    escaped = codec.escape(raw)
    assert b"\x7e" not in escaped
    assert codec.unescape(escaped) == raw


@given(st.binary(max_size=600), st.lists(st.integers(min_value=1, max_value=50), max_size=20))
def test_frames_survive_any_tcp_segmentation(body: bytes, cuts: list[int]) -> None:
    frames = codec.build_segmented(0x0704, "013800519001", 7, body, chunk=200)
    stream = b"".join(frames)
    splitter = codec.Splitter()
    got: list[bytes] = []
    position = 0
    for cut in [*cuts, len(stream)]:
        got += splitter.feed(stream[position : position + cut])
        position += cut
    got += splitter.feed(stream[position:])
    reassembler = codec.Reassembler()
    results = [reassembler.add(codec.parse(codec.unframe(c)), 0.0) for c in got]
    whole = results[-1]
    assert whole is not None and whole[0].body == body


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_frame_errors(data: bytes) -> None:
    for step in (
        lambda: codec.parse(codec.unframe(data)),
        lambda: codec.parse(data),
        lambda: codec.parse_location(data),
        lambda: codec.parse_batch(data),
        lambda: codec.parse_registration(data, 2013),
        lambda: codec.parse_registration(data, 2019),
        lambda: codec.parse_authentication(data, 2019),
    ):
        with contextlib.suppress(FrameError):
            step()
