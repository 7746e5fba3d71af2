"""Pure parts of the pipeline: the dead-letter cap and the classification of database errors."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import errors

from telemetry_ingest.ingest.pipeline import CapDeadLetters, DeadLetterFlood, Message
from telemetry_ingest.ingest.validation import Rejected
from telemetry_ingest.ingest.writer import is_transient

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def batch(pattern: str) -> list[Message]:
    """'g' a good message, 'b' a rejected one."""
    out = []
    for c in pattern:
        m = Message("mqtt", "t", b"", NOW)
        if c == "b":
            m.rejection = Rejected("invalid", "bad")
        out.append(m)
    return out


async def checked_and_committed(cap: CapDeadLetters, b: list[Message]) -> None:
    await cap(b)
    cap.settle(b)


async def test_consecutive_dead_letters_over_the_cap_stop_across_batches() -> None:
    cap = CapDeadLetters(max_ratio=None, max_consecutive=3, window=100)
    await checked_and_committed(cap, batch("gbb"))
    await checked_and_committed(cap, batch("bg"))  # a good one resets the run
    await checked_and_committed(cap, batch("bbb"))  # exactly at the cap: allowed
    with pytest.raises(DeadLetterFlood, match="4 consecutive"):
        await cap(batch("b"))


async def test_ratio_counts_only_once_the_window_is_full_and_a_retried_batch_is_not_counted_twice() -> None:
    cap = CapDeadLetters(max_ratio=0.5, max_consecutive=None, window=4)
    first = batch("bgb")
    await cap(first)
    await cap(first)  # a retry of the same batch (transient database error): checked, not recorded
    cap.settle(first)
    await checked_and_committed(cap, batch("g"))  # window full: 2 of 4
    with pytest.raises(DeadLetterFlood, match="3 of the last 4"):
        await cap(batch("bb"))


async def test_dead_letters_the_database_refused_count_against_the_cap() -> None:
    cap = CapDeadLetters(max_ratio=None, max_consecutive=2, window=100)
    committed = batch("ggg")
    await cap(committed)  # nothing rejected before the commit
    for m in committed:  # what Commit does when the database refuses each of them
        m.rejection = Rejected("db_refused", "refused")
    cap.settle(committed)
    with pytest.raises(DeadLetterFlood, match="3 consecutive"):
        await cap(batch("g"))  # the next batch stops the consumer, even a good one


async def test_a_batch_under_the_cap_is_not_stopped() -> None:
    cap = CapDeadLetters(max_ratio=None, max_consecutive=2, window=100)
    await checked_and_committed(cap, batch("bbg"))
    await checked_and_committed(cap, batch("bbg"))  # positive control: the same letters, under the cap


def test_transient_database_errors_are_retried_others_split_the_batch() -> None:
    assert is_transient(errors.AdminShutdown())
    assert is_transient(errors.SerializationFailure())
    assert is_transient(errors.DeadlockDetected())
    assert is_transient(psycopg.OperationalError("connection lost"))
    assert is_transient(ConnectionResetError())
    assert not is_transient(errors.UntranslatableCharacter())
    assert not is_transient(errors.CheckViolation())
    assert not is_transient(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))


def test_an_http_item_becomes_a_decoded_message_and_json_only_as_a_dead_letter() -> None:
    """Issue 25: the HTTP path builds messages from the parsed items (no topic, no re-serialising)."""
    import json

    from telemetry_ingest.ingest.service import _message
    from telemetry_ingest.ingest.validation import Limits

    limits = Limits(max_payload_bytes=100)
    item = {"meter_id": "m1", "ts": 1, "energy_kwh": 1}
    good = _message("readings", 0, item, NOW, limits, measure=False)
    assert good.rejection is None and good.payload == b""
    assert good.items is not None and [(i.kind, i.device_id, i.values) for i in good.items] == [("meter", "m1", item)]
    bad = _message("readings", 1, {"ts": 1}, NOW, limits, measure=False)
    assert bad.rejection is not None and bad.rejection.kind == "unknown_device"
    letter = bad.dead_letter()
    assert (letter.topic, json.loads(letter.payload)) == ("POST /v1/ingest readings[1]", {"ts": 1})
    # a large body: each item is measured, and one over the limit is an oversize dead letter (kept to the limit)
    big = _message("readings", 2, {**item, "pad": "x" * 200}, NOW, limits, measure=True)
    assert big.rejection is not None and big.rejection.kind == "oversize" and len(big.dead_letter().payload) == 100
    assert _message("readings", 3, item, NOW, limits, measure=True).rejection is None  # positive control


async def test_one_factory_builds_the_chain_for_both_entries() -> None:
    from telemetry_ingest.ingest.pipeline import Commit, Decode, Resolve, Validate, build_pipeline
    from telemetry_ingest.ingest.validation import Limits
    from telemetry_ingest.ingest.writer import BatchWriter

    class Registry:
        async def resolve(self, ids: object) -> None: ...

        def kind_of(self, device_id: str) -> None:
            return None

    cap = CapDeadLetters(max_ratio=None, max_consecutive=None, window=10)
    writer = BatchWriter("postgresql://unused")
    mqtt, commit = build_pipeline(limits=Limits(), registry=Registry(), writer=writer, cap=cap)
    http, _ = build_pipeline(limits=Limits(), registry=Registry(), writer=writer)
    assert [type(s) for s in mqtt.steps] == [Decode, Resolve, Validate, CapDeadLetters, Commit]
    assert [type(s) for s in http.steps] == [Decode, Resolve, Validate, Commit]
    assert mqtt.steps[-1] is commit
