"""Progress lines of long commands (`houqin seed`): what is being loaded, how far, out of how much."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field


def say(what: str) -> None:
    """One progress line on stdout, flushed at once (the command may run for minutes)."""
    sys.stdout.write(f"houqin seed: {what}\n")
    sys.stdout.flush()


@dataclass
class Counter:
    """Counts ``total`` units of ``label`` and prints how far every ``every`` units and at the end."""

    label: str
    total: int
    every: int = 1
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, n: int = 1) -> None:
        before = self.done
        self.done += n
        if self.done >= self.total or self.done // self.every > before // self.every:
            pct = 100 * self.done // max(self.total, 1)
            say(f"{self.label}: {self.done}/{self.total} ({pct} %, {time.monotonic() - self.started:.0f} s)")
