"""Dependencies of the project routes: the project from the path, visible to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from contracts_api.common import STAFF_READERS
from contracts_api.models import Project
from contracts_api.projects import service
from houqin_common.auth import Principal, Role, require_roles
from houqin_common.db import DbSession


async def valid_project_code(
    session: DbSession,
    code: str = Path(max_length=64, description="project code, e.g. `catering`"),
    _: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> Project:
    """The project of the path, 404 when unknown."""
    return await service.get(session, code=code)


VisibleProject = Annotated[Project, Depends(valid_project_code)]
