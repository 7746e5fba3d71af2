"""Pure rules of the alarm events: which open a hazard, when, and which events a restore clears."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta


def opens_hazard_at(event: str, ts: datetime, test: bool, after_s: Mapping[str, float]) -> datetime | None:
    """When an uncleared event becomes a hazard; None for tests and for event types that never do."""
    if test or event not in after_s:
        return None
    return ts + timedelta(seconds=after_s[event])


def is_due(
    event: str, ts: datetime, test: bool, cleared_at: datetime | None, now: datetime, after_s: Mapping[str, float]
) -> bool:
    """Not cleared within its time (cleared late counts too: the hazard existed)."""
    due = opens_hazard_at(event, ts, test, after_s)
    if due is None or due > now:
        return False
    return cleared_at is None or cleared_at > due


def alarm_id(event_uuid: str) -> str:
    """The id appraisal records the alarm under (idempotency key of its hazards API)."""
    return f"alarm-{event_uuid}"
