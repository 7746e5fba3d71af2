"""The one alert store of energy and fleet: idempotent inserts that wake the live stream on commit."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

#: PostgreSQL NOTIFY channel of new alerts (the live stream listens)
ALERT_CHANNEL = "houqin_alerts"


async def insert_alerts(session: AsyncSession, alerts: list[dict[str, Any]]) -> int:
    """Insert alerts idempotently (unique kind, subject, start); NOTIFY the live stream on commit. An existing
    alert is reinstated if withdrawn and re-graded if its severity changed (e.g. a trip request approved since
    the last evaluation turns an off-hours violation into info)."""
    if not alerts:
        return 0
    result = await session.execute(
        text(
            "INSERT INTO telemetry.alert (kind, severity, subject_type, subject_id, vendor_id, department,"
            " started_at, ended_at, message, details)"
            " SELECT a.kind, a.severity, a.subject_type, a.subject_id, a.vendor_id, a.department,"
            " a.started_at, a.ended_at, a.message, a.details"
            " FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS a(kind text, severity text, subject_type text,"
            " subject_id text, vendor_id text, department text, started_at timestamptz, ended_at timestamptz,"
            " message text, details jsonb)"
            " ON CONFLICT (kind, subject_id, started_at) DO UPDATE SET withdrawn_at = NULL, withdrawn_reason = NULL,"
            " severity = EXCLUDED.severity, ended_at = EXCLUDED.ended_at, message = EXCLUDED.message,"
            " details = EXCLUDED.details"
            # reinstated when found again; re-graded when its severity changed (a request approved since)
            " WHERE alert.withdrawn_at IS NOT NULL OR alert.severity IS DISTINCT FROM EXCLUDED.severity"
        ),
        {"rows": json.dumps(alerts, default=_json_default)},
    )
    created = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if created:
        await session.execute(text(f"NOTIFY {ALERT_CHANNEL}"))
    return created


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
