"""The simulated alarm stream (issue 26): valid payloads, mostly faults and tests, each event restored."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from houqin_common.schemas import AlarmPayload
from telemetry_ingest.simulator.alarms import AlarmStream, make_panels

START = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_month_of_alarms_is_mostly_faults_and_tests_every_one_restored() -> None:
    panels = make_panels()
    stream = AlarmStream(panels, START, random.Random(3))
    events = list(stream.due(START + timedelta(days=30)))
    end = START + timedelta(days=31)
    events += list(stream.due(end))  # the restores of the last events
    ctx = {"received_at": end + timedelta(days=1), "max_future_skew": timedelta(minutes=5)}
    parsed = [(topic, AlarmPayload.model_validate(p, context=ctx)) for topic, p in events]
    assert all(topic.startswith("houqin/v1/alarms/") and topic.endswith("/events") for topic, _p in parsed)
    raised = [p for _t, p in parsed if p.event != "restore"]
    kinds = Counter("test" if p.test else p.event for p in raised)
    assert kinds["fault"] + kinds["test"] > 0.6 * len(raised)
    assert kinds["test"] >= 4 * len(panels)  # a weekly test per panel
    assert kinds["fire_alarm"] < kinds["fault"]
    restores = Counter((p.zone, p.restores) for _t, p in parsed if p.event == "restore")
    opened = Counter((p.zone, p.event) for p in raised)
    assert restores == opened
    times = [p.ts for _t, p in parsed]
    assert times == sorted(times)
    assert sum(p.ts - q.ts > timedelta(hours=4) for p, q in _pairs(parsed)) >= 1  # some faults left for hours


def _pairs(parsed):  # type: ignore[no-untyped-def]
    """(restore, event) pairs: each restore with the latest earlier event of its zone and type."""
    active: dict[tuple[str, str], list[object]] = {}
    for _t, p in parsed:
        if p.event != "restore":
            active.setdefault((p.zone, p.event), []).append(p)
        else:
            yield p, active[(p.zone, p.restores)].pop(0)
