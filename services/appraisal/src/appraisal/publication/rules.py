"""Publication as pure functions: whether a period may be published yet, the fingerprint of a vendor's
inputs and the differences between two published versions. No I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from houqin_common.i18n import N_, Text


def fingerprint(inputs: Any) -> str:
    """SHA-256 of the canonical JSON of ``inputs`` (sorted keys; dates and decimals as text)."""
    canonical = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Difference:
    vendor_id: str
    field: str
    before: Any
    after: Any


def differences(
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    before_prints: Mapping[str, str],
    after_prints: Mapping[str, str],
) -> list[Difference]:
    """What a re-publication changes, vendor by vendor: appearance, rank, total, each component score,
    and the inputs' fingerprint (the data behind the score changed even if the score did not)."""
    old = {s["vendor_id"]: s for s in before}
    new = {s["vendor_id"]: s for s in after}
    out: list[Difference] = []
    for vendor in sorted(old.keys() | new.keys()):
        a, b = old.get(vendor), new.get(vendor)
        if a is None or b is None:
            out.append(Difference(vendor, "published", a is not None, b is not None))
            continue
        for name in ("rank", "total", "satisfaction", "quality", "complete"):
            if a.get(name) != b.get(name):
                out.append(Difference(vendor, name, a.get(name), b.get(name)))
        # a component is keyed by its code: `code` in snapshots since components are labelled, `name` before
        ca = {c.get("code") or c["name"]: c.get("score") for c in a.get("components", [])}
        cb = {c.get("code") or c["name"]: c.get("score") for c in b.get("components", [])}
        for name in sorted(ca.keys() | cb.keys()):
            if ca.get(name) != cb.get(name):
                out.append(Difference(vendor, f"components.{name}", ca.get(name), cb.get(name)))
        if before_prints.get(vendor) != after_prints.get(vendor):
            out.append(Difference(vendor, "inputs", before_prints.get(vendor), after_prints.get(vendor)))
    return out


@dataclass(frozen=True)
class CampaignState:
    """What publication needs to know of a survey campaign of the period."""

    title: str
    closes_at: datetime
    invited: int
    answered: int
    rate: float | None


def publication_blockers(
    *, period: str, period_end: date, today: date, now: datetime, campaigns: Sequence[CampaignState], target: float
) -> list[Text]:
    """Why ``period`` may not be published yet (empty: it may): the period has not ended (``period_end`` is
    the day after its last), or one of its survey campaigns is still open or below the response-rate target
    (DOMAIN.md: over 95 % answer). Each reason is a stored text, rendered in the reader's language."""
    reasons: list[Text] = []
    if today < period_end:
        reasons.append(
            Text(
                N_("the period {period} has not ended: it runs until {last}"),
                {"period": period, "last": (period_end - timedelta(days=1)).isoformat()},
            )
        )
    for c in campaigns:
        if c.closes_at > now:
            reasons.append(
                Text(
                    N_("the survey campaign {title} is still open until {closes}"),
                    {"title": c.title, "closes": c.closes_at.isoformat(timespec="minutes")},
                )
            )
        if c.rate is None or c.rate < target:
            reasons.append(
                Text(
                    N_(
                        "the survey campaign {title} has {answered} of {invited} answers ({rate}), "
                        "below the target response rate {target}"
                    ),
                    {
                        "title": c.title,
                        "answered": c.answered,
                        "invited": c.invited,
                        "rate": f"{(c.rate or 0.0):.0%}",
                        "target": f"{target:.0%}",
                    },
                )
            )
    return reasons
