"""Dependencies of the procurement routes: the appraisal service client."""

from __future__ import annotations

from fastapi import Request

from houqin_common.clients import AppraisalClient


async def get_appraisal(request: Request) -> AppraisalClient:
    """The app's appraisal client (built in the lifespan)."""
    client: AppraisalClient = request.app.state.appraisal
    return client
