"""HTTP route of the public feedback form (anonymous, rate-limited)."""

from __future__ import annotations

from fastapi import Request, status

from appraisal.dependencies import AppSettings
from appraisal.feedback import rules, service
from appraisal.feedback.schemas import FeedbackCreate, FeedbackReceipt
from houqin_common.db import DbSession
from houqin_common.errors import problem_responses
from houqin_common.routing import ServiceRouter

router = ServiceRouter(prefix="/feedback", tags=["feedback"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackReceipt,
    responses=problem_responses(422, 429),
)
async def submit_feedback(
    feedback_in: FeedbackCreate, request: Request, session: DbSession, settings: AppSettings
) -> FeedbackReceipt:
    """Public channel for visitors and companies (外来办事人员和企业): no account. A complaint or
    suggestion is routed and scored like a staff complaint; the contact is optional and only the Bureau
    sees it. Each client may leave a configured number of entries per window (429 with `Retry-After`)."""
    header = settings.public_feedback_client_header
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get(header) if header else None
    client = rules.client_address(peer, forwarded, settings.public_feedback_trusted_proxies)
    return await service.submit(session, feedback_in=feedback_in, client=client, settings=settings)
