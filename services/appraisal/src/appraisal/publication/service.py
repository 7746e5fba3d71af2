"""Publication of a period's appraisal (公布考核结果): freeze the ranking, the scores with their
components and the fingerprints of their inputs into an immutable, versioned snapshot.

Awards, bonus uplifts and renewals read the latest published version of their period; a period that
was never published is computed on request and marked provisional."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Publication
from appraisal.names import NameDirectory
from appraisal.publication import repository, rules
from appraisal.scoring import service as scoring_service
from appraisal.scoring.service import KpiSource, PeriodData
from appraisal.settings import Settings
from appraisal.surveys import service as survey_service
from houqin_common.clock import office_tz
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.i18n import Text, _
from houqin_common.schemas import PERIOD_RE, ScoreComponent, VendorScore, period_bounds


def check_period(period: str, settings: Settings) -> None:
    """422 for a period before the appraisal began (DOMAIN.md: half-yearly since 2006)."""
    m = PERIOD_RE.match(period)
    if not m or m["quarter"] or m["month"]:
        raise UnprocessableEntity(
            _("An appraisal period is a year or a half-year, such as 2026 or 2026H1; got {period}", period=period),
            **{"invalid-params": [{"name": "period", "reason": _("not a year or a half-year")}]},
        )
    if int(m["year"]) < settings.first_appraisal_year:
        raise UnprocessableEntity(
            _(
                "There is no appraisal before {first}: period {period} cannot be published or awarded",
                first=settings.first_appraisal_year,
                period=period,
            ),
            **{"invalid-params": [{"name": "period", "reason": _("before the first appraisal year")}]},
        )


def vendor_inputs(data: PeriodData, vendor_id: str, score: VendorScore) -> dict[str, Any]:
    """Everything a vendor's score was computed from, in a canonical form for its fingerprint."""
    orders = [
        [o.id, o.status, o.deadline, o.submitted_on, o.verified_on]  # type: ignore[attr-defined]
        for o in data.orders.get(vendor_id, [])
    ]
    inputs: dict[str, Any] = {
        "projects": sorted(data.assignments.get(vendor_id, set())),
        "grades": data.grades.get(vendor_id, {}),
        "routine": sorted(data.routine.get(vendor_id, [])),
        "food": sorted(data.food.get(vendor_id, []), key=str),
        "complaints": sorted(data.complaints.get(vendor_id, []), key=str),
        "orders": sorted(orders, key=str),
        # KPI components come from telemetry: their scores and notes are the inputs as read (the notes as
        # stored texts, so the fingerprint does not depend on the publisher's language)
        "kpis": [_component_json(c) for c in score.components if c.name in ("energy", "vehicles")],
    }
    # issue 27: only a vendor with trainings or guidance findings gets the key (older fingerprints stay valid)
    tally = data.guidance.get(vendor_id)
    if tally is not None:
        inputs["guidance"] = [tally.invited, tally.attended, tally.open_findings]
    return inputs


def _component_json(component: ScoreComponent) -> dict[str, Any]:
    """A component as a snapshot stores it: its note language-neutral (msgid and parameters)."""
    return {**component.model_dump(mode="json"), "note": component.stored_note()}


def _score_json(score: VendorScore) -> dict[str, Any]:
    data = score.model_dump(mode="json", exclude={"provisional", "published_version"})
    data["components"] = [_component_json(c) for c in score.components]
    return data


async def blockers(session: AsyncSession, *, period: str, settings: Settings, now: datetime) -> list[Text]:
    """Why the period may not be published yet: running, or a survey campaign open or below target."""
    wanted = set(scoring_service.campaign_periods(period))
    found, _total = await survey_service.list_campaigns(
        session, period=period[:4], limit=1000, offset=0, order="opens_at", desc=False
    )
    states = []
    for campaign in (c for c in found if c.period in wanted):
        rate = await survey_service.response_rate(session, campaign=campaign, settings=settings)
        states.append(
            rules.CampaignState(
                title=campaign.title,
                closes_at=campaign.closes_at.astimezone(office_tz()),
                invited=rate.invited,
                answered=rate.answered,
                rate=rate.rate,
            )
        )
    return rules.publication_blockers(
        period=period,
        period_end=period_bounds(period)[1],
        today=now.astimezone(office_tz()).date(),
        now=now,
        campaigns=states,
        target=settings.response_rate_target,
    )


async def publish(
    session: AsyncSession,
    *,
    period: str,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    now: datetime,
    actor: str,
    justification: str | None = None,
    directory: NameDirectory | None = None,
) -> Publication:
    """Freeze the period as a new version; the first is version 1, each later one lists its differences.

    A period still running, or whose survey campaign is open or below the response-rate target, is refused
    (409 naming each reason) unless ``justification`` overrides it; the publication then records both."""
    check_period(period, settings)
    await repository.lock_period(session, period)
    reasons = await blockers(session, period=period, settings=settings, now=now)
    if reasons and not justification:
        raise Conflict(
            _("period {period} cannot be published yet: {reasons}", period=period, reasons=_render_all(reasons)),
            reasons=[r.render() for r in reasons],
            codes=[r.msgid for r in reasons],
        )
    data = await scoring_service.load_period(session, period)
    ranking = await scoring_service.rank(
        session, period=period, settings=settings, kpis=kpis, today=today, data=data, directory=directory
    )
    prints = {s.vendor_id: rules.fingerprint(vendor_inputs(data, s.vendor_id, s)) for s in ranking}
    facts = {
        s.vendor_id: {
            "major_food_violation": any(w in settings.major_severities for _s, w in data.food.get(s.vendor_id, []))
        }
        for s in ranking
    }
    snapshot = [_score_json(s) for s in ranking]
    previous = await repository.latest(session, period)
    diffs = rules.differences(previous.ranking, snapshot, previous.fingerprints, prints) if previous is not None else []
    publication = Publication(
        period=period,
        version=(previous.version + 1) if previous else 1,
        published_by=actor,
        inputs_fingerprint=rules.fingerprint(prints),
        ranking=snapshot,
        fingerprints=prints,
        facts=facts,
        differences=[d.__dict__ for d in diffs],
        override_justification=justification if reasons else None,
        override_reasons=[r.to_json() for r in reasons] if reasons else None,
    )
    await repository.add(session, publication)
    return publication


def _render_all(reasons: list[Text]) -> str:
    return _("; ").join(r.render() for r in reasons)


def _shown_component(component: dict[str, Any]) -> dict[str, Any]:
    note = component.get("note")
    return {**component, "note": Text.shown(note) if note is not None else None}


def published_scores(publication: Publication) -> list[VendorScore]:
    """The frozen ranking, its stored notes rendered in the reader's language."""
    return [
        VendorScore.model_validate(
            {
                **s,
                "components": [_shown_component(c) for c in s.get("components", [])],
                "provisional": False,
                "published_version": publication.version,
            }
        )
        for s in publication.ranking
    ]


def override_reasons(publication: Publication) -> list[str]:
    """The refusals a publication overrode, in the reader's language."""
    return [Text.shown(r) for r in publication.override_reasons or []]


async def official_ranking(
    session: AsyncSession,
    *,
    period: str,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    directory: NameDirectory | None = None,
) -> tuple[list[VendorScore], Publication | None]:
    """The published ranking of ``period`` (latest version); else the ranking computed now, provisional."""
    publication = await repository.latest(session, period)
    if publication is not None:
        return published_scores(publication), publication
    ranking = await scoring_service.rank(
        session, period=period, settings=settings, kpis=kpis, today=today, directory=directory
    )
    for s in ranking:
        s.provisional = True
    return ranking, None


async def official_score(
    session: AsyncSession,
    *,
    vendor_id: str,
    period: str,
    settings: Settings,
    kpis: KpiSource | None,
    today: date,
    directory: NameDirectory | None = None,
) -> VendorScore:
    publication = await repository.latest(session, period)
    if publication is None:
        score = await scoring_service.vendor_score(
            session, vendor_id=vendor_id, period=period, settings=settings, kpis=kpis, today=today, directory=directory
        )
        score.provisional = True
        return score
    found = next((s for s in published_scores(publication) if s.vendor_id == vendor_id), None)
    if found is None:
        raise NotFound(
            _(
                "vendor {vendor} is not in the published appraisal of {period} (version {version})",
                vendor=vendor_id,
                period=period,
                version=publication.version,
            )
        )
    return found


async def versions(session: AsyncSession, *, period: str) -> list[Publication]:
    return await repository.versions(session, period)


async def get(session: AsyncSession, *, period: str, version: int | None) -> Publication:
    found = (
        await repository.latest(session, period) if version is None else await repository.get(session, period, version)
    )
    if found is None:
        raise NotFound(
            _("period {period} has no published appraisal{v}", period=period, v=f" v{version}" if version else "")
        )
    return found
