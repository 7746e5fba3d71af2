"""Awards of the year: advanced and excellent units, the bonus uplift, service-star nominations."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.awards import repository
from appraisal.awards.schemas import AwardEvaluate, AwardEvaluation, AwardRead, ServiceStarCreate
from appraisal.messages import message, render
from appraisal.models import AwardDecision, ServiceStar
from appraisal.names import NameDirectory, Names
from appraisal.publication import service as publication_service
from appraisal.scoring import rules
from appraisal.scoring import service as scoring_service
from appraisal.scoring.service import KpiSource
from appraisal.settings import Settings
from houqin_common.clients import ApiError, BadRequestError, NotFoundError
from houqin_common.clock import office_tz
from houqin_common.errors import Conflict, NotFound, ServiceUnavailable
from houqin_common.i18n import N_, _
from houqin_common.schemas import Eligibility, period_bounds

logger = logging.getLogger("appraisal.awards")


class VetoSource(Protocol):
    """What awards need of contracts-api (``houqin_common.clients.ContractsClient``)."""

    async def vendor_eligibility(self, vendor_id: str, *, as_of: date | None = None) -> Eligibility: ...


def to_read(d: AwardDecision, names: Names | None = None) -> AwardRead:
    return AwardRead(
        id=d.id,
        year=d.year,
        vendor_id=d.vendor_id,
        vendor_name=names.vendor_name(d.vendor_id) if names is not None else None,
        award=d.award,
        award_zh=rules.AwardKind(d.award).label_zh,
        rank=d.rank,
        total=d.total,
        provisional=d.provisional,
        reasons=[render(r) for r in d.reasons],
        head_count=d.head_count,
        base_bonus=d.base_bonus,
        uplift=d.uplift,
        decided_at=d.decided_at,
    )


def bars(settings: Settings) -> rules.AwardBars:
    return rules.AwardBars(
        advanced_max_rank=settings.advanced_unit_max_rank,
        advanced_min_score=settings.advanced_unit_min_score,
        excellent_max_rank=settings.excellent_unit_max_rank,
        excellent_min_score=settings.excellent_unit_min_score,
    )


async def _eligible(vetoes: VetoSource | None, vendor_id: str, as_of: date) -> bool | None:
    """True/False from contracts-api as of ``as_of``; None when it cannot be asked (the award is then
    provisional). A decision about a period uses the facts in force in it: a veto recorded after the
    period does not remove the vendor from that period's award."""
    if vetoes is None:
        return None
    try:
        return (await vetoes.vendor_eligibility(vendor_id, as_of=as_of)).eligible
    except NotFoundError:
        return None
    except ApiError as exc:
        logger.warning("eligibility of %s unavailable: %s", vendor_id, exc)
        return None


async def evaluate(
    session: AsyncSession,
    *,
    year: int,
    evaluate_in: AwardEvaluate,
    settings: Settings,
    kpis: KpiSource | None,
    vetoes: VetoSource | None,
    today: date,
    directory: NameDirectory | None = None,
) -> AwardEvaluation:
    """Apply the award rules to the year's ranking and store the decisions (replacing the year's).

    The ranking is the year's published appraisal (latest version); unpublished, it is computed now and
    every award is provisional. Vetoes are read as of the last day of the year."""
    period = str(year)
    publication_service.check_period(period, settings)
    ranking, publication = await publication_service.official_ranking(
        session, period=period, settings=settings, kpis=kpis, today=today, directory=directory
    )
    names = Names(vendors={s.vendor_id: s.vendor_name for s in ranking if s.vendor_name})
    if publication is not None:
        majors = {v: bool(f.get("major_food_violation")) for v, f in publication.facts.items()}
    else:
        data = await scoring_service.load_period(session, period)
        majors = {v: any(w in settings.major_severities for _s, w in food) for v, food in data.food.items()}
    as_of = period_bounds(period)[1] - timedelta(days=1)
    # a re-evaluation keeps what it cannot recompute: a head count (and its base bonus) given before
    before = {d.vendor_id: d for d in await repository.year_decisions(session, year) if d.head_count is not None}
    given_base = evaluate_in.base_bonus_cny
    decisions: list[AwardDecision] = []
    not_awarded: dict[str, list[str]] = {}
    award_bars = bars(settings)
    for score in ranking:
        if score.rank is None:
            continue
        major = majors.get(score.vendor_id, False)
        # ask contracts-api only about vendors that pass the bars, so a down contracts-api costs little
        prelim = rules.decide_award(
            rank=score.rank, total=score.total, complete=True, eligible=True, major_violation=major, bars=award_bars
        )
        eligible = await _eligible(vetoes, score.vendor_id, as_of) if prelim.award else True
        outcome = rules.decide_award(
            rank=score.rank,
            total=score.total,
            complete=score.complete,
            eligible=eligible,
            major_violation=major,
            bars=award_bars,
        )
        if outcome.award is None:
            not_awarded[score.vendor_id] = [render(r) for r in outcome.reasons]
            continue
        head_count = evaluate_in.head_counts.get(score.vendor_id)
        base = given_base if given_base is not None else settings.base_bonus_cny
        reasons = list(outcome.reasons)
        kept = before.get(score.vendor_id) if head_count is None else None
        if kept is not None:
            head_count = kept.head_count
            base = given_base if given_base is not None else (kept.base_bonus or settings.base_bonus_cny)
            reasons.append(
                message(
                    N_("head count {count} kept from the evaluation of {at}"),
                    count=kept.head_count,
                    at=kept.decided_at.astimezone(office_tz()).isoformat(timespec="minutes"),
                )
            )
        provisional = outcome.provisional
        if publication is None:
            provisional = True
            reasons.append(
                message(N_("the appraisal of {period} is not published: the award is provisional"), period=period)
            )
        if head_count is None:
            reasons.append(message(N_("head count unknown: uplift not computed")))
        decisions.append(
            AwardDecision(
                year=year,
                vendor_id=score.vendor_id,
                award=outcome.award.value,
                rank=score.rank,
                total=score.total,
                provisional=provisional,
                reasons=reasons,
                head_count=head_count,
                base_bonus=base,
                uplift=rules.bonus_uplift(head_count, base, settings.bonus_uplift_rate)
                if head_count is not None
                else None,
                detail={
                    "score": score.model_dump(mode="json"),
                    "published_version": publication.version if publication else None,
                    "vetoes_as_of": as_of.isoformat(),
                },
            )
        )
    await repository.replace_year(session, year, decisions)
    for d in decisions:
        await session.refresh(d)
    return AwardEvaluation(
        year=year,
        uplift_rate=Decimal(settings.bonus_uplift_rate),
        awards=[to_read(d, names) for d in decisions],
        not_awarded=not_awarded,
    )


async def nominate(
    session: AsyncSession, *, star_in: ServiceStarCreate, nominator: str, vendors: VetoSource, today: date
) -> ServiceStar:
    """Nominate a service star of a vendor that contracts-api knows (404 otherwise) and that no one-vote veto
    or other exclusion bars today (409 naming each ground); 503 when contracts-api cannot be asked."""
    try:
        eligibility = await vendors.vendor_eligibility(star_in.vendor_id, as_of=today)
    except (NotFoundError, BadRequestError):  # contracts-api refuses an id it could never hold: unknown too
        raise NotFound(
            _("vendor {vendor} is not registered", vendor=star_in.vendor_id),
            **{"invalid-params": [{"name": "vendor_id", "reason": _("unknown vendor")}]},
        ) from None
    except ApiError as exc:
        logger.warning("eligibility of %s unavailable: %s", star_in.vendor_id, exc)
        raise ServiceUnavailable(
            _("the vendor register (contracts-api) cannot be read: the nomination is not recorded")
        ) from exc
    if not eligibility.eligible:
        raise Conflict(
            _(
                "vendor {vendor} may not have a service star: {reasons}",
                vendor=star_in.vendor_id,
                reasons=_("; ").join(eligibility.reasons),
            ),
            reasons=eligibility.reasons,
        )
    star = ServiceStar(**star_in.model_dump(), nominated_by=nominator, status="nominated")
    session.add(star)
    await session.flush()
    await session.refresh(star)
    return star


async def list_awards(
    session: AsyncSession, *, year: int | None, vendor_id: str | None, limit: int, offset: int
) -> tuple[list[AwardDecision], int]:
    return await repository.list_awards(session, year=year, vendor_id=vendor_id, limit=limit, offset=offset)


async def list_stars(
    session: AsyncSession, *, year: int | None, vendor_id: str | None, limit: int, offset: int
) -> tuple[list[ServiceStar], int]:
    return await repository.list_stars(session, year=year, vendor_id=vendor_id, limit=limit, offset=offset)
