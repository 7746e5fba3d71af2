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
