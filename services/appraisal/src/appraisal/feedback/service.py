"""Public feedback: recorded and routed exactly like a staff complaint, under a per-client limit.

The entry is a :class:`~appraisal.models.Complaint` on the ``public`` channel, so routing (the vendor
running the project concerned) and scoring (substantiated complaints and late answers count against the
vendor) are the staff path itself. The client is known only by a peppered hash of its address, kept as
the filer, as a staff member is known by a hash-free subject that no vendor ever sees: the same
anonymity rule. The hash exists to count the client's entries in the window; an advisory lock on it
makes the count and the insert one step, so parallel requests cannot slip past the limit.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.complaints import service as complaint_service
from appraisal.complaints.schemas import Category, Channel, ComplaintCreate
from appraisal.feedback.schemas import FeedbackCreate, FeedbackReceipt
from appraisal.models import Complaint
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.errors import TooManyRequests
from houqin_common.i18n import _

PUBLIC_PREFIX = "public:"


def client_key(client: str, settings: Settings) -> str:
    """The filer of a public entry: ``public:`` and a peppered hash of the client address."""
    pepper = (settings.token_pepper or settings.jwt_secret).encode()
    return PUBLIC_PREFIX + hmac.new(pepper, f"public:{client}".encode(), hashlib.sha256).hexdigest()[:40]


async def submit(
    session: AsyncSession, *, feedback_in: FeedbackCreate, client: str, settings: Settings, now: datetime | None = None
) -> FeedbackReceipt:
    """Record and route one entry; 429 when the client already left the configured number in the window."""
    now = now or clock.now()
    filer = client_key(client, settings)
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": filer})
    since = now - timedelta(seconds=settings.public_feedback_window_s)
    recent = (
        await session.execute(
            select(func.count(), func.min(Complaint.filed_at)).where(
                Complaint.filed_by == filer, Complaint.filed_at > since
            )
        )
    ).one()
    if recent[0] >= settings.public_feedback_limit:
        retry = max(1, int((recent[1] + timedelta(seconds=settings.public_feedback_window_s) - now).total_seconds()))
        raise TooManyRequests(
            _(
                "at most {limit} entries per {minutes} minutes from one client; try again later",
                limit=settings.public_feedback_limit,
                minutes=max(1, settings.public_feedback_window_s // 60),
            ),
            retry_after_s=retry,
        )
    complaint = await complaint_service.file(
        session,
        complaint_in=ComplaintCreate(
            kind=feedback_in.kind,
            channel=Channel.public,
            category=feedback_in.category,
            description=feedback_in.description,
            project_code=feedback_in.project_code,
        ),
        filer=filer,
        now=now,
        contact=feedback_in.contact,
    )
    return FeedbackReceipt(
        id=complaint.id,
        kind=complaint.kind,
        category=complaint.category,
        category_zh=Category(complaint.category).label_zh,
        filed_at=complaint.filed_at,
        message=_("Thank you. Your entry is recorded and passed to the service responsible; quote its reference.")
        if feedback_in.contact is None
        else _("Thank you. Your entry is recorded and passed to the service responsible; we will answer you."),
    )
