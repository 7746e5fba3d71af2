"""The one back-off of the project: exponential, full jitter (tenacity), reset on demand."""

from __future__ import annotations

import random

import pytest

from houqin_common.retry import Backoff, retrying


def test_full_jitter_draws_below_a_doubling_ceiling_up_to_the_maximum() -> None:
    random.seed(1)
    backoff = Backoff(0.5, 4.0)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0]
    draws = [[0.0] * 200 for _ in ceilings]
    for k in range(200):
        backoff.reset()
        for i in range(len(ceilings)):
            draws[i][k] = backoff.next_delay()
    for ceiling, values in zip(ceilings, draws, strict=True):
        assert all(0 <= v <= ceiling for v in values)
        assert max(values) > ceiling * 0.8  # jitter spans the whole range, not [ceiling/2, ceiling]
        assert min(values) < ceiling * 0.2


def test_reset_starts_over() -> None:
    backoff = Backoff(1.0, 100.0)
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.attempt == 0
    assert backoff.next_delay() <= 1.0


async def test_retrying_returns_the_last_result_or_raises_the_last_error() -> None:
    calls: list[int] = []
    result = None
    async for attempt in retrying(attempts=3, initial=0.001, on_exception=lambda e: True, on_result=lambda r: r == 503):
        with attempt:
            calls.append(1)
            result = 503
        if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
            attempt.retry_state.set_result(result)
    assert len(calls) == 3 and result == 503
    with pytest.raises(ConnectionError):
        async for attempt in retrying(attempts=2, initial=0.001, on_exception=lambda e: True):
            with attempt:
                raise ConnectionError("down")
