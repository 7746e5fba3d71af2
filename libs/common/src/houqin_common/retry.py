"""The one retry/back-off policy of the project: exponential with full jitter, from tenacity.

Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): the n-th delay is drawn uniformly
from ``[0, min(maximum, initial * 2**(n-1))]``, so clients that failed together do not retry together.
:func:`retrying` drives a bounded retry loop (the HTTP clients); :class:`Backoff` is the same wait for
loops that decide themselves when to wait and when to start over (the ingest resets it only after a
batch has committed, not on a mere reconnect).
"""

from __future__ import annotations

from collections.abc import Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    wait_random_exponential,
)


def full_jitter(initial: float, maximum: float) -> wait_random_exponential:
    return wait_random_exponential(multiplier=initial, max=maximum)


class Backoff:
    """Successive full-jitter delays; :meth:`reset` starts over from ``initial``."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._wait = full_jitter(initial, maximum)
        self.attempt = 0

    def next_delay(self) -> float:
        self.attempt += 1
        state = RetryCallState(None, None, (), {})  # type: ignore[arg-type]  # only attempt_number is read
        state.attempt_number = self.attempt
        return float(self._wait(state))

    def reset(self) -> None:
        self.attempt = 0


def retrying(
    *,
    attempts: int,
    initial: float,
    maximum: float = 10.0,
    on_exception: Callable[[BaseException], bool],
    on_result: Callable[[object], bool] = lambda _r: False,
) -> AsyncRetrying:
    """``async for attempt in retrying(...): with attempt: ...``; the last outcome is returned or raised."""
    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=full_jitter(initial, maximum),
        retry=retry_if_exception(on_exception) | retry_if_result(on_result),
        reraise=True,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
    )
