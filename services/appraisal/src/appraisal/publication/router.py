"""HTTP routes of the publications: publish a period's results, list versions, read one."""

from __future__ import annotations

from fastapi import Body, Depends, Path, Query, status

from appraisal.dependencies import AppSettings, Directory, Now, Telemetry, Today
from appraisal.models import Publication
from appraisal.publication import service
from appraisal.publication.schemas import (
    DifferenceRead,
    OverrideRead,
    PublicationRead,
    PublicationSummary,
    PublishRequest,
)
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Period

router = ServiceRouter(prefix="/periods", tags=["scores"], responses=COMMON_ERRORS)
PeriodPath = Path(description="`2026` (annual), `2026H1` or `2026H2`", examples=["2025"])
READERS = (Role.supervisor, Role.inspector, Role.procurement, *READ_ALL)


def _summary(p: Publication) -> dict[str, object]:
    return {
        "period": p.period,
        "version": p.version,
        "published_by": p.published_by,
        "published_at": p.published_at,
        "inputs_fingerprint": p.inputs_fingerprint,
        "differences": [DifferenceRead.model_validate(d) for d in p.differences],
        "override": OverrideRead(justification=p.override_justification, reasons=service.override_reasons(p))
        if p.override_justification
        else None,
    }


def _read(p: Publication) -> PublicationRead:
    return PublicationRead(**_summary(p), ranking=service.published_scores(p), fingerprints=p.fingerprints)


@router.post(
    "/{period}/publish",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicationRead,
    responses=problem_responses(409, 422),
)
async def publish_period(
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    today: Today,
    now: Now,
    directory: Directory,
    period: Period = PeriodPath,
    publish_in: PublishRequest | None = Body(None),
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> PublicationRead:
    """Publish the period's appraisal (公布考核结果): the ranking, every score with its components and the
    fingerprint of the inputs it was computed from are frozen into an immutable snapshot. Notes are stored
    as message ids with parameters, so a snapshot reads in each reader's language. Publishing again makes
    a new version listing the differences; earlier versions stay readable. Awards, bonus uplifts and
    renewals read the latest version; scores of an unpublished period are provisional.

    Refused (409, naming each reason) while the period has not ended, or while one of its survey campaigns
    is still open or below the response-rate target (`HOUQIN_APPRAISAL_RESPONSE_RATE_TARGET`, 95 %),
    unless the body says `override: true` with a `justification`, which the publication records."""
    override = publish_in is not None and publish_in.override
    publication = await service.publish(
        session,
        period=period,
        settings=settings,
        kpis=telemetry,
        today=today,
        now=now,
        actor=principal.subject,
        justification=publish_in.justification if override and publish_in is not None else None,
        directory=directory,
    )
    return _read(publication)


@router.get("/{period}/publications", response_model=list[PublicationSummary])
async def list_publications(
    session: DbSession,
    period: Period = PeriodPath,
    _: Principal = Depends(require_roles(*READERS)),
) -> list[PublicationSummary]:
    """Every published version of the period, oldest first, with the differences of each."""
    return [PublicationSummary(**_summary(p)) for p in await service.versions(session, period=period)]


@router.get("/{period}/publication", response_model=PublicationRead, responses=problem_responses(404))
async def get_publication(
    session: DbSession,
    period: Period = PeriodPath,
    version: int | None = Query(None, ge=1, description="a given version; the latest when omitted"),
    _: Principal = Depends(require_roles(*READERS)),
) -> PublicationRead:
    """A published version of the period (the latest by default)."""
    return _read(await service.get(session, period=period, version=version))
