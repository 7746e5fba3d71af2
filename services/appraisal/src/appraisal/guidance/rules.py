"""Pure guidance rules: the guidance component of a vendor's score."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RegulationKind(StrEnum):
    regulation = "regulation"
    service_standard = "service_standard"

    @property
    def label_zh(self) -> str:
        return {"regulation": "制度", "service_standard": "服务标准"}[self.value]


@dataclass(frozen=True)
class GuidanceTally:
    """A vendor's period: trainings it was invited to (attendance recorded), attended, guidance findings open."""

    invited: int = 0
    attended: int = 0
    open_findings: int = 0


def guidance_score(tally: GuidanceTally, open_finding_penalty: float) -> float | None:
    """Share of invited trainings attended (100 when invited to none) minus ``open_finding_penalty`` per
    guidance finding still open; None when the vendor had neither a training nor a guidance finding."""
    if tally.invited == 0 and tally.open_findings == 0:
        return None
    base = 100.0 * tally.attended / tally.invited if tally.invited else 100.0
    return round(max(0.0, base - open_finding_penalty * tally.open_findings), 2)
