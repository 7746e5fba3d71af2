"""HTTP routes of the surveys: campaigns, invitations, the form, responses, rates and results."""

from __future__ import annotations

from fastapi import Depends, Query, status

from appraisal.catalogue.schemas import ServiceItemRead
from appraisal.dependencies import AppSettings, Directory
from appraisal.names import name_vendors
from appraisal.surveys import service
from appraisal.surveys.dependencies import CampaignDep, RespondentDep
from appraisal.surveys.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignResults,
    InvitationBatch,
    InvitationTokens,
    ResponseAccepted,
    ResponseCreate,
    ResponseRate,
    SurveyForm,
)
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/campaigns", tags=["surveys"], responses=COMMON_ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CampaignRead, responses=problem_responses(422))
async def create_campaign(
    campaign_in: CampaignCreate, session: DbSession, _: Principal = Depends(require_roles(Role.supervisor))
) -> CampaignRead:
    """Open a half-yearly satisfaction campaign (满意度测评) on a survey template version."""
    return CampaignRead.model_validate(await service.create_campaign(session, campaign_in=campaign_in))


@router.get("", response_model=Page[CampaignRead])
async def list_campaigns(
    session: DbSession,
    period: str | None = Query(None, max_length=16, description="period prefix, e.g. `2026` or `2026H1`"),
    page: PageParams = Depends(sorted_page("-opens_at")),
    _: Principal = Depends(require_roles(Role.supervisor, Role.inspector, Role.staff, *READ_ALL)),
) -> Page[CampaignRead]:
    """Campaigns; sort by `opens_at` (default, newest first), `period` or `title`."""
    order, desc = page.order({"opens_at", "period", "title"}, "-opens_at")
    rows, total = await service.list_campaigns(
        session, period=period, limit=page.limit, offset=page.offset, order=order, desc=desc
    )
    return to_page(CampaignRead, rows, total, page)


@router.get(
    "/{campaign_id}",
    response_model=CampaignRead,
    responses=problem_responses(404),
    dependencies=[Depends(require_roles(Role.supervisor, Role.inspector, Role.staff, *READ_ALL))],
)
async def get_campaign(campaign: CampaignDep) -> CampaignRead:
    """One campaign."""
    return CampaignRead.model_validate(campaign)


@router.post(
    "/{campaign_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationTokens,
    responses=problem_responses(404),
    dependencies=[Depends(require_roles(Role.supervisor))],
)
async def issue_invitations(
    batch: InvitationBatch,
    campaign: CampaignDep,
    session: DbSession,
    settings: AppSettings,
) -> InvitationTokens:
    """Issue single-use invitation tokens for a department. The tokens are returned once; only keyed
    hashes are stored, and nothing records to whom each token is handed."""
    tokens = await service.issue_invitations(
        session, campaign=campaign, count=batch.count, department=batch.department, settings=settings
    )
    return InvitationTokens(campaign_id=campaign.id, department=batch.department, tokens=tokens)


@router.get("/{campaign_id}/form", response_model=SurveyForm, responses=problem_responses(404))
async def get_survey_form(
    who: RespondentDep, campaign: CampaignDep, session: DbSession, settings: AppSettings, names: Directory
) -> SurveyForm:
    """The form to fill in: for a staff login or the holder of an invitation token (`X-Invitation-Token`)."""
    if who.token is not None:
        await service.invitation_for(session, campaign=campaign, token=who.token, settings=settings)
    items = [ServiceItemRead.model_validate(i) for i in await service.form_items(session, campaign)]
    await name_vendors(names, items)
    return SurveyForm(campaign=CampaignRead.model_validate(campaign), items=items, grades=service.grade_labels())


@router.post(
    "/{campaign_id}/responses",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseAccepted,
    responses=problem_responses(404, 409),
)
async def submit_response(
    who: RespondentDep, response_in: ResponseCreate, campaign: CampaignDep, session: DbSession, settings: AppSettings
) -> ResponseAccepted:
    """Answer the survey once, anonymously (staff login or `X-Invitation-Token`).

    A second answer with the same token or login gets 409 and changes nothing. The stored answers
    carry no respondent, token, invitation or timestamp.
    """
    n = await service.submit_response(
        session,
        campaign=campaign,
        response_in=response_in,
        settings=settings,
        token=who.token,
        staff_subject=who.subject,
        staff_department=who.department,
    )
    return ResponseAccepted(campaign_id=campaign.id, answers=n)


@router.get(
    "/{campaign_id}/response-rate",
    response_model=ResponseRate,
    responses=problem_responses(404),
    dependencies=[Depends(require_roles(Role.supervisor, *READ_ALL))],
)
async def get_response_rate(
    campaign: CampaignDep,
    session: DbSession,
    settings: AppSettings,
) -> ResponseRate:
    """Live response rate (answered / invited) against the configured target (default 95 %)."""
    return await service.response_rate(session, campaign=campaign, settings=settings)


@router.get(
    "/{campaign_id}/results",
    response_model=CampaignResults,
    responses=problem_responses(404),
    dependencies=[Depends(require_roles(Role.supervisor, *READ_ALL))],
)
async def get_campaign_results(
    campaign: CampaignDep,
    session: DbSession,
    settings: AppSettings,
    names: Directory,
) -> CampaignResults:
    """Results per item, per vendor and per department (only departments with at least the configured
    minimum of responses), with the free-text opinions and suggestions in text order."""
    results = await service.results(session, campaign=campaign, settings=settings)
    await name_vendors(names, [*results.items, *results.vendors])
    return results
