"""The alarm watcher, one step of the `analytics` worker's pass: restores clear their zone's events; a fire
alarm or fault not cleared in time opens (or joins) a hazard in appraisal through the typed client, idempotent by
alarm id; a restore of an alarm on a hazard is recorded there. State lives in ``telemetry.alarm_event``, so a
failed call is simply retried at the next pass."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.clients import ApiError, NotFoundError
from houqin_common.schemas import HazardRef
from telemetry_ingest.alarms import repository, rules
from telemetry_ingest.analytics.config import AnalyticsSettings

log = logging.getLogger("telemetry_ingest.alarms")


class HazardSink(Protocol):
    """What the watcher needs of appraisal (``houqin_common.clients.AppraisalClient``)."""

    async def hazard_from_alarm(self, alarm: dict[str, Any]) -> tuple[HazardRef, bool]: ...

    async def hazard_alarm_cleared(self, alarm_id: str, cleared_at: datetime) -> HazardRef: ...


@dataclass
class WatchResult:
    cleared: int = 0
    hazards_opened: int = 0
    hazards_joined: int = 0
    settled: int = 0
    clears_reported: int = 0
    failed: int = 0


def _alarm(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "alarm_id": rules.alarm_id(str(row["id"])),
        "panel_id": row["panel_id"],
        "zone": row["zone"],
        "event_type": row["event"],
        "occurred_at": row["ts"].isoformat(),
        "building": row["zone_building"] or row["panel_building"],
        "floor": row["floor"],
        "room": row["room"],
        "description": row["label"] or row["text"],
        "vendor_id": row["vendor_id"],
    }


async def watch(
    session: AsyncSession, *, sink: HazardSink | None, settings: AnalyticsSettings, now: datetime
) -> WatchResult:
    """One pass; commits are the caller's (the session's transaction covers the pass)."""
    out = WatchResult(cleared=await repository.apply_restores(session))
    if sink is None:
        return out
    after = settings.alarm_hazard_after_s
    for row in await repository.due_events(session, sorted(after), now, settings.alarm_watch_batch):
        if rules.is_due(row["event"], row["ts"], row["test"], row["cleared_at"], now, after):
            try:
                hazard, created = await sink.hazard_from_alarm(_alarm(row))
            except ApiError as exc:
                out.failed += 1
                log.warning("alarm %s not reported to appraisal: %s", row["id"], exc)
                continue
            await repository.mark_reported(session, row["id"], hazard.id, now)
            out.hazards_opened += created
            out.hazards_joined += not created
        elif row["cleared_at"] is not None:
            # cleared within its time: settled, never a hazard
            await repository.mark_reported(session, row["id"], None, now)
            out.settled += 1
    for row in await repository.unreported_clears(session, settings.alarm_watch_batch):
        try:
            await sink.hazard_alarm_cleared(rules.alarm_id(str(row["id"])), row["cleared_at"])
        except NotFoundError:
            log.warning("alarm %s is on no hazard in appraisal", row["id"])
        except ApiError as exc:
            out.failed += 1
            log.warning("restore of alarm %s not reported to appraisal: %s", row["id"], exc)
            continue
        await repository.mark_clear_reported(session, row["id"], now)
        out.clears_reported += 1
    return out
