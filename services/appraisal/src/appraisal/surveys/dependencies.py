"""Dependencies of the survey routes: the campaign from the path, the respondent from the invitation token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials

from appraisal.models import Campaign
from appraisal.surveys import service
from houqin_common.auth import Role, _bearer, decode_token
from houqin_common.db import DbSession
from houqin_common.errors import Forbidden, Unauthorized
from houqin_common.i18n import _


async def valid_campaign(campaign_id: str, session: DbSession) -> Campaign:
    """The campaign of the path, 404 when unknown."""
    return await service.get_campaign(session, campaign_id=campaign_id)


@dataclass(frozen=True)
class Respondent:
    token: str | None
    subject: str | None
    department: str | None


async def respondent(
    request: Request,
    invitation_token: Annotated[
        str | None,
        Header(alias="X-Invitation-Token", description="single-use invitation token (instead of a staff login)"),
    ] = None,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Respondent:
    """Who answers: the holder of an invitation token, or a logged-in `staff` user (JWT)."""
    if invitation_token:
        return Respondent(token=invitation_token, subject=None, department=None)
    if credentials is None:
        raise Unauthorized(_("Send an X-Invitation-Token header or a staff bearer token"))
    principal = decode_token(credentials.credentials, request.app.state.settings)
    if not principal.has(Role.staff, Role.admin):
        raise Forbidden(_("Only staff (or invitation holders) answer surveys"))
    department = principal.claims.get("department")
    return Respondent(token=None, subject=principal.subject, department=str(department) if department else None)


CampaignDep = Annotated[Campaign, Depends(valid_campaign)]
RespondentDep = Annotated[Respondent, Depends(respondent)]
