"""HTTP routes of the tariffs: list, put, read, delete, import."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Response, UploadFile, status

from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter
from telemetry_ingest.tariffs import service
from telemetry_ingest.tariffs.schemas import TariffCreate, TariffImportResult, TariffIn, TariffRead

router = ServiceRouter(prefix="/energy/tariffs", tags=["tariffs"], responses=COMMON_ERRORS)

WRITE = require_roles(Role.supervisor)
READ = require_roles(Role.supervisor, Role.vendor, *READ_ALL)


@router.get("", response_model=list[TariffRead])
async def list_tariffs(
    session: DbSession,
    energy_type: Annotated[str | None, Query(max_length=5, description="only this energy type code")] = None,
    _: Principal = Depends(READ),
) -> list[TariffRead]:
    """Every tariff version (all scopes), by energy type, scope and effective date. Versions marked
    `example` are the shipped example set, not the office's own prices."""
    return await service.list_tariffs(session, energy_type=energy_type)


@router.put(
    "/{tariff_id}",
    response_model=TariffRead,
    responses={201: {"model": TariffRead, "description": "a new version"}, **problem_responses(409)},
)
async def put_tariff(
    tariff_id: Annotated[str, Path(max_length=64, description="tariff version id")],
    tariff_in: TariffIn,
    session: DbSession,
    response: Response,
    _: Principal = Depends(WRITE),
) -> TariffRead:
    """Create or replace a tariff version. A price change is a NEW version (another id, a later
    `effective_from`): the cost of past periods keeps the prices that were in force then."""
    version = TariffCreate(id=tariff_id, **tariff_in.model_dump())
    if await service.save_tariff(session, tariff_in=version):
        response.status_code = status.HTTP_201_CREATED
    return await service.get_tariff(session, tariff_id)


@router.get("/{tariff_id}", response_model=TariffRead, responses=problem_responses(404))
async def get_tariff(tariff_id: str, session: DbSession, _: Principal = Depends(READ)) -> TariffRead:
    """One tariff version."""
    return await service.get_tariff(session, tariff_id)


@router.delete("/{tariff_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404))
async def delete_tariff(tariff_id: str, session: DbSession, _: Principal = Depends(WRITE)) -> None:
    """Delete a tariff version entered by mistake (the periods it priced fall back to the previous version)."""
    await service.delete_tariff(session, tariff_id)


@router.post("/import", response_model=TariffImportResult, responses=problem_responses(409))
async def import_tariffs(file: UploadFile, session: DbSession, _: Principal = Depends(WRITE)) -> TariffImportResult:
    """Import tariff versions from a CSV or XLSX file, one row per period price or time-of-use window:
    columns `id, name, energy_type, scope, scope_id, effective_from, unit, period, price, start, end, months,
    example, note` (or 编号, 名称, 能源类型, 范围, 范围编号, 生效日期, 单位, 时段, 单价, 开始时间, 结束时间, 月份, 示例,
    备注). All or nothing: any bad row answers 422 and nothing is imported."""
    return await service.import_tariffs(session, data=await file.read(), filename=file.filename or "upload.csv")
