"""Campaigns, invitations and anonymous answers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.catalogue import repository as catalogue_repository
from appraisal.models import Answer, Campaign, Invitation, Response, ServiceItem, SurveyTemplate
from appraisal.scoring import repository as scoring_repository
from appraisal.scoring import rules
from appraisal.settings import Settings
from appraisal.surveys import repository
from appraisal.surveys.schemas import (
    CampaignCreate,
    CampaignResults,
    DepartmentRate,
    DepartmentResult,
    ItemResult,
    ResponseCreate,
    ResponseRate,
    VendorResult,
)
from houqin_common import clock
from houqin_common.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from houqin_common.i18n import _


def _pepper(settings: Settings) -> bytes:
    return (settings.token_pepper or settings.jwt_secret).encode()


def token_hash(settings: Settings, token: str) -> str:
    """Keyed hash of an invitation token: the plain token is never stored."""
    return hmac.new(_pepper(settings), f"token:{token}".encode(), hashlib.sha256).hexdigest()


def staff_hash(settings: Settings, campaign_id: str, subject: str) -> str:
    """Keyed hash marking that a logged-in staff member answered: not reversible to the subject."""
    return hmac.new(_pepper(settings), f"staff:{campaign_id}:{subject}".encode(), hashlib.sha256).hexdigest()


async def create_campaign(session: AsyncSession, *, campaign_in: CampaignCreate) -> Campaign:
    if campaign_in.closes_at <= campaign_in.opens_at:
        raise UnprocessableEntity(_("closes_at must be after opens_at"))
    if not await _template_exists(session, campaign_in.template_id):
        raise UnprocessableEntity(_("survey template {template_id} not found", template_id=campaign_in.template_id))
    campaign = Campaign(**campaign_in.model_dump())
    session.add(campaign)
    await session.flush()
    await session.refresh(campaign)
    return campaign


async def _template_exists(session: AsyncSession, template_id: str) -> bool:
    return await session.get(SurveyTemplate, template_id) is not None


async def get_campaign(session: AsyncSession, *, campaign_id: str) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("campaign {campaign_id} not found", campaign_id=campaign_id))
    return campaign


async def issue_invitations(
    session: AsyncSession, *, campaign: Campaign, count: int, department: str | None, settings: Settings
) -> list[str]:
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    session.add_all(
        Invitation(campaign_id=campaign.id, token_hash=token_hash(settings, t), department=department) for t in tokens
    )
    await session.flush()
    return tokens


async def form_items(session: AsyncSession, campaign: Campaign) -> list[ServiceItem]:
    return await catalogue_repository.template_items(session, campaign.template_id)


async def invitation_for(session: AsyncSession, *, campaign: Campaign, token: str, settings: Settings) -> Invitation:
    invitation = await repository.invitation_by_hash(session, campaign.id, token_hash(settings, token))
    if invitation is None:
        raise Forbidden(_("the invitation token is not valid for this campaign"))
    return invitation


async def submit_response(
    session: AsyncSession,
    *,
    campaign: Campaign,
    response_in: ResponseCreate,
    settings: Settings,
    token: str | None,
    staff_subject: str | None,
    staff_department: str | None,
    now: datetime | None = None,
) -> int:
    """Record one anonymous answer sheet; 409 (nothing stored) when this token or staff member already answered."""
    now = now or clock.now()
    if not (campaign.opens_at <= now <= campaign.closes_at):
        raise Conflict(
            _(
                "campaign {campaign_id} is not open (open {opens} to {closes})",
                campaign_id=campaign.id,
                opens=f"{campaign.opens_at:%Y-%m-%d}",
                closes=f"{campaign.closes_at:%Y-%m-%d}",
            )
        )
    items = {i.code: i for i in await form_items(session, campaign)}
    codes = [a.item_code for a in response_in.answers]
    unknown = [c for c in codes if c not in items]
    if unknown:
        raise UnprocessableEntity(_("items not on this campaign's form: {items}", items=", ".join(unknown)))
    if len(set(codes)) != len(codes):
        raise UnprocessableEntity(_("an item is answered twice"))
    if token is not None:
        invitation = await invitation_for(session, campaign=campaign, token=token, settings=settings)
        marker, department = invitation.token_hash, invitation.department
    elif staff_subject is not None:
        marker = staff_hash(settings, campaign.id, staff_subject)
        department = staff_department or response_in.department
    else:
        raise Forbidden(_("answer with an invitation token or a staff login"))
    if not await repository.consume(session, campaign.id, marker):
        raise Conflict(_("this survey has already been answered with this invitation or login"))
    response = Response(
        campaign_id=campaign.id,
        department=department,
        overall_opinion=response_in.overall_opinion,
        suggestions=response_in.suggestions,
    )
    session.add(response)
    await session.flush()
    session.add_all(
        Answer(response_id=response.id, item_id=items[a.item_code].id, grade=a.grade.value) for a in response_in.answers
    )
    await session.flush()
    return len(response_in.answers)


async def response_rate(session: AsyncSession, *, campaign: Campaign, settings: Settings) -> ResponseRate:
    invited = await repository.invited_by_department(session, campaign.id)
    answered = await repository.answered_by_department(session, campaign.id)
    n_invited = sum(invited.values()) + campaign.expected_staff
    n_answered = sum(answered.values())
    rate = rules.response_rate(n_answered, n_invited)
    departments = [
        DepartmentRate(
            department=d or "(unknown)",
            invited=invited.get(d, 0),
            answered=answered.get(d, 0) if answered.get(d, 0) >= settings.min_group_size else None,
        )
        for d in sorted(set(invited) | set(answered))
    ]
    return ResponseRate(
        campaign_id=campaign.id,
        invited=n_invited,
        answered=n_answered,
        rate=rate,
        target=settings.response_rate_target,
        meets_target=rate is not None and rate >= settings.response_rate_target,
        departments=departments,
    )


def _stats(counts: dict[str, int], settings: Settings) -> dict[str, object]:
    grades = [g for g, n in counts.items() for _ in range(n)]
    return {
        "distribution": {**rules.grade_distribution([]), **counts},
        "score": rules.grade_score(grades, settings.grade_points),
        "answers": sum(counts.values()),
    }


async def results(session: AsyncSession, *, campaign: Campaign, settings: Settings) -> CampaignResults:
    per_item: dict[str, tuple[ServiceItem, dict[str, int]]] = {}
    for item, grade, n in await repository.item_grades(session, campaign.id):
        per_item.setdefault(item.id, (item, {}))[1][grade] = n
    per_vendor = await scoring_repository.grade_counts(session, [], campaign_id=campaign.id)
    per_dept = await repository.department_grades(session, campaign.id)
    answered = await repository.answered_by_department(session, campaign.id)
    shown = {d for d, n in answered.items() if n >= settings.min_group_size and d}
    opinions, suggestions = await repository.texts(session, campaign.id)
    return CampaignResults(
        campaign_id=campaign.id,
        period=campaign.period,
        responses=sum(answered.values()),
        min_group_size=settings.min_group_size,
        items=[
            ItemResult(
                item_code=i.code, name=i.name, name_zh=i.name_zh, project_code=i.project_code, **_stats(c, settings)
            )
            for i, c in per_item.values()
        ],
        vendors=[VendorResult(vendor_id=v, **_stats(c, settings)) for v, c in sorted(per_vendor.items())],
        departments=[
            DepartmentResult(department=d, responses=answered[d], **_stats(per_dept.get(d, {}), settings))
            for d in sorted(shown)
        ],
        suppressed_departments=len([d for d in answered if d and d not in shown]),
        overall_opinions=opinions,
        suggestions=suggestions,
    )


def grade_labels() -> dict[str, str]:
    """Each grade's label in the reader's language (the form is read in zh-CN or English)."""
    return {g.value: g.label for g in rules.Grade}


async def list_campaigns(
    session: AsyncSession, *, period: str | None, limit: int, offset: int, order: str, desc: bool
) -> tuple[list[Campaign], int]:
    return await repository.list_campaigns(session, period=period, limit=limit, offset=offset, order=order, desc=desc)
