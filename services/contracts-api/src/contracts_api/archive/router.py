"""HTTP routes of the archive: upload, list and download documents, search the archive."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, File, Path, Query, Request, UploadFile, status
from fastapi.responses import StreamingResponse

from contracts_api.archive import service
from contracts_api.archive.schemas import ArchiveEntry, DocumentRead
from contracts_api.contracts.dependencies import READERS, VisibleContract
from contracts_api.models.enums import ContractStatus
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(tags=["archive"], responses=COMMON_ERRORS)
ContractId = Path(max_length=36, description="contract id")


@router.post(
    "/contracts/{contract_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
    responses=problem_responses(400, 404, 422),
)
async def upload_document(
    request: Request,
    session: DbSession,
    file: UploadFile = File(description="the document"),
    contract_id: str = ContractId,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> DocumentRead:
    """Archive a document of the contract (multipart). Stored with its SHA-256, size and media type; a
    second upload of the same file name becomes the next version."""
    settings = request.app.state.settings
    document = await service.store(
        session,
        contract_id=contract_id,
        upload=file,
        archive_dir=settings.archive_dir,
        max_bytes=settings.archive_max_bytes,
        actor=principal.subject,
    )
    return DocumentRead.model_validate(document)


@router.get("/contracts/{contract_id}/documents", response_model=Page[DocumentRead], responses=problem_responses(404))
async def list_documents(
    session: DbSession,
    contract: VisibleContract,
    filename: str | None = Query(None, max_length=255, description="only the versions of this file"),
    page: PageParams = Depends(sorted_page("filename")),
) -> Page[DocumentRead]:
    """The documents of a contract, every version; sort by `filename` (default, then version) or
    `uploaded_at`."""
    sort, desc = page.order(set(service.DOCUMENT_SORTS), "filename")
    rows, total = await service.list_for_contract(
        session, contract=contract, filename=filename, sort=sort, desc=desc, limit=page.limit, offset=page.offset
    )
    return to_page(DocumentRead, rows, total, page)


@router.get(
    "/contracts/{contract_id}/documents/{document_id}/content",
    response_class=StreamingResponse,
    responses={
        **problem_responses(404, 409),
        200: {
            "description": "the bytes, served with the media type recorded at upload (`media_type`)",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
async def download_document(
    request: Request,
    session: DbSession,
    contract: VisibleContract,
    document_id: str = Path(max_length=36, description="document id"),
) -> StreamingResponse:
    """Download a document after verifying its SHA-256 (409 when the stored content no longer matches)."""
    document = await service.get(session, contract=contract, document_id=document_id)
    path = await service.verified_path(document, request.app.state.settings.archive_dir)
    return StreamingResponse(
        service.iter_file(path),
        media_type=document.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document.filename, safe='')}",
            "Digest": f"sha-256={document.sha256}",
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/archive", response_model=Page[ArchiveEntry])
async def search_archive(
    session: DbSession,
    vendor_id: str | None = Query(None, max_length=36, description="vendor"),
    project_code: str | None = Query(None, max_length=64, description="project"),
    year: int | None = Query(None, ge=1990, le=2200, description="contract period covers this year"),
    contract_status: ContractStatus | None = Query(None, alias="status", description="contract status"),
    q: str | None = Query(
        None,
        max_length=100,
        description="part of the file name, the contract's title, the vendor's name or the project's name "
        "(Chinese or English; e.g. 安保)",
    ),
    page: PageParams = Depends(page_window),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[ArchiveEntry]:
    """Search the archive by vendor, project, year and contract status, newest upload first."""
    rows, total = await service.search(
        session,
        filters={"vendor_id": vendor_id, "project_code": project_code, "status": contract_status},
        year=year,
        q=q,
        scope=vendor_scope(principal),
        limit=page.limit,
        offset=page.offset,
    )
    return to_page(ArchiveEntry, rows, total, page)
