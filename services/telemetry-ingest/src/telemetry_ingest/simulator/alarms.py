"""Issue 26: the simulated alarm panels of the security and fire network and their event stream (pure, seeded).

Realistic mix: mostly device faults (most repaired within the hour, a few left for many hours: those become
hazards), weekly panel tests (``test: true``), now and then a supervisory signal, video loss or tamper, and
rarely a real fire alarm or intrusion, each followed by its restore.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

#: events per panel-hour (faults dominate; a real fire alarm is rare)
RATES = {
    "fault": 0.02,
    "supervisory": 0.004,
    "video_loss": 0.003,
    "tamper": 0.0008,
    "intrusion": 0.0005,
    "fire_alarm": 0.0002,
}
#: median minutes to restore, per event type (log-normal, sigma 1.2: a tail of many hours)
RESTORE_MEDIAN_MIN = {
    "fault": 40.0,
    "supervisory": 15.0,
    "video_loss": 20.0,
    "tamper": 10.0,
    "intrusion": 5.0,
    "fire_alarm": 8.0,
}
FIRE_EVENTS = ("fault", "supervisory", "fire_alarm")
SECURITY_EVENTS = ("video_loss", "tamper", "intrusion", "fault")


@dataclass(frozen=True)
class SimZone:
    zone: str
    building: str
    floor: str
    room: str
    label: str


@dataclass(frozen=True)
class SimPanel:
    id: str
    name: str
    system: str
    building: str
    zones: tuple[SimZone, ...]


def make_panels(buildings: tuple[str, ...] = ("A", "B", "C")) -> list[SimPanel]:
    """A fire-alarm panel per building (smoke detectors, call points) and one intrusion/video system."""
    panels = []
    for b in buildings:
        zones = tuple(
            SimZone(f"Z-{floor}F-{n:02d}", f"{b}座", str(floor), f"{floor}{n:02d}", label)
            for floor in range(1, 6)
            for n, label in ((1, "烟感探测器"), (2, "手动报警按钮"), (3, "喷淋水流指示器"))
        )
        panels.append(SimPanel(f"FP-{b}", f"{b}座火灾报警控制器", "fire", f"{b}座", zones))
    cameras = tuple(
        SimZone(f"CAM-{b}-{n:02d}", f"{b}座", "1", f"{b}座出入口{n}", "摄像机/门磁") for b in buildings for n in (1, 2)
    )
    panels.append(SimPanel("SEC-01", "安防监控系统", "security", buildings[0] + "座", cameras))
    return panels


@dataclass(order=True)
class _Pending:
    at: datetime
    seq: int
    topic: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)


class AlarmStream:
    """Events of the panels in time order: :meth:`due` pops what happened up to ``now``."""

    def __init__(self, panels: list[SimPanel], start: datetime, rng: random.Random, test_weekday: int = 2) -> None:
        self.panels = panels
        self.rng = rng
        self.cursor = start
        self.test_weekday = test_weekday
        self.queue: list[_Pending] = []
        self.seq = itertools.count()

    def _push(self, at: datetime, panel: SimPanel, payload: dict[str, Any]) -> None:
        heapq.heappush(self.queue, _Pending(at, next(self.seq), f"houqin/v1/alarms/{panel.id}/events", payload))

    def _hour(self, hour: datetime) -> None:
        for panel in self.panels:
            kinds = FIRE_EVENTS if panel.system == "fire" else SECURITY_EVENTS
            # the weekly test: Wednesday 10:00, one zone per panel, restored after two minutes
            if hour.weekday() == self.test_weekday and hour.hour == 10:
                zone = self.rng.choice(panel.zones).zone
                event = "fire_alarm" if panel.system == "fire" else "intrusion"
                self._push(hour, panel, {"zone": zone, "event": event, "test": True, "text": "例行测试"})
                self._push(hour + timedelta(minutes=2), panel, {"zone": zone, "event": "restore", "restores": event})
            for kind in kinds:
                if self.rng.random() >= RATES[kind]:
                    continue
                at = hour + timedelta(seconds=self.rng.uniform(0, 3600))
                picked = self.rng.choice(panel.zones)
                self._push(at, panel, {"zone": picked.zone, "event": kind, "text": picked.label})
                minutes = RESTORE_MEDIAN_MIN[kind] * self.rng.lognormvariate(0, 1.2)
                self._push(
                    at + timedelta(minutes=minutes), panel, {"zone": picked.zone, "event": "restore", "restores": kind}
                )

    def due(self, now: datetime) -> Iterator[tuple[str, dict[str, Any]]]:
        """(topic, payload) of every event up to ``now``, in time order, with its device time."""
        while self.cursor <= now:
            self._hour(self.cursor)
            self.cursor += timedelta(hours=1)
        while self.queue and self.queue[0].at <= now:
            item = heapq.heappop(self.queue)
            yield item.topic, {"ts": int(item.at.timestamp() * 1000), **item.payload}
