"""The `guidance` score component (issue 27): training attendance and guidance findings still open.

Kept apart from ``components`` so that other domains' components merge without touching it. It weighs 0 in
the default schemes, so it shows in every vendor's breakdown (the appraisal explanation) without moving a
total; give it a weight in ``HOUQIN_APPRAISAL_SCHEMES`` to make it count."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.guidance import repository as guidance_repository
from appraisal.guidance.rules import GuidanceTally, guidance_score
from appraisal.scoring import rules
from appraisal.scoring.components import VendorPeriod, component
from houqin_common.i18n import N_, Text


async def load(session: AsyncSession, start: date, end: date) -> dict[str, GuidanceTally]:
    """The period's tallies by vendor (``PeriodData.guidance``)."""
    return await guidance_repository.tallies(session, start, end)


@component("guidance")
async def guidance(v: VendorPeriod) -> rules.Component:
    tally = v.data.guidance.get(v.vendor_id, GuidanceTally())
    return rules.Component(
        "guidance",
        guidance_score(tally, v.settings.guidance_open_finding_penalty),
        note=Text(
            N_("attended {attended} of {invited} trainings, {open} guidance findings open"),
            {"attended": tally.attended, "invited": tally.invited, "open": tally.open_findings},
        ),
    )
