"""Contract archive (合同档案): content-addressed files under the archive directory, hash-verified on read."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import anyio
from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.archive import repository
from contracts_api.archive.schemas import ArchiveEntry, DocumentRead
from contracts_api.audit import service as audit
from contracts_api.contracts import service as contract_service
from contracts_api.models import Contract, Document
from houqin_common.errors import NotFound, ProblemError, UnprocessableEntity
from houqin_common.i18n import _

#: fields the documents of a contract may be sorted by
DOCUMENT_SORTS = frozenset(repository.DOCUMENT_SORTS)

CHUNK = 1024 * 1024


class IntegrityFailed(ProblemError):
    status, code, title = 409, "integrity-failed", "Stored document failed its integrity check"


class Upload(Protocol):
    filename: str | None
    content_type: str | None

    async def read(self, size: int = -1) -> bytes: ...


async def store(
    session: AsyncSession, *, contract_id: str, upload: Upload, archive_dir: Path, max_bytes: int, actor: str
) -> Document:
    contract = await contract_service.get(session, contract_id=contract_id)
    filename = Path(upload.filename or "").name
    if not filename or len(filename) > 255:
        raise UnprocessableEntity(_("the uploaded file needs a file name of at most 255 characters"))
    # File system calls run in worker threads: a slow disk must not stall the event loop (and every
    # other request on it) while a document is written or verified.
    await to_thread.run_sync(lambda: archive_dir.mkdir(parents=True, exist_ok=True))
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = await to_thread.run_sync(lambda: tempfile.mkstemp(dir=archive_dir, prefix=".upload-"))
    try:
        out = await to_thread.run_sync(os.fdopen, fd, "wb")
        try:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UnprocessableEntity(_("the document exceeds the {limit}-byte limit", limit=max_bytes))
                await to_thread.run_sync(_write_chunk, out, digest, chunk)
        finally:
            await to_thread.run_sync(out.close)
        if size == 0:
            raise UnprocessableEntity(_("the uploaded file is empty"))
        sha = digest.hexdigest()
        key = f"{sha[:2]}/{sha}"
        target = archive_dir / key
        await to_thread.run_sync(_move_into_place, Path(tmp_name), target)
    except BaseException:
        await to_thread.run_sync(lambda: Path(tmp_name).unlink(missing_ok=True))
        raise
    latest = await repository.latest_version(session, contract_id=contract.id, filename=filename)
    document = Document(
        contract_id=contract.id,
        filename=filename,
        version=(latest or 0) + 1,
        media_type=(upload.content_type or "application/octet-stream")[:200],
        size=size,
        sha256=sha,
        storage_key=key,
        uploaded_by=actor,
    )
    session.add(document)
    await session.flush()
    await session.refresh(document)
    await audit.record(
        session,
        actor=actor,
        action="document.upload",
        entity_type="document",
        entity_id=document.id,
        contract_id=contract.id,
        data={"filename": filename, "version": document.version, "sha256": sha, "size": size},
    )
    return document


async def get(session: AsyncSession, *, contract: Contract, document_id: str) -> Document:
    document = await repository.get(session, document_id)
    if document is None or document.contract_id != contract.id:
        raise NotFound(
            _(
                "document {document_id} of contract {contract_id} not found",
                document_id=document_id,
                contract_id=contract.id,
            )
        )
    return document


def _write_chunk(out: Any, digest: Any, chunk: bytes) -> None:
    digest.update(chunk)
    out.write(chunk)


def _move_into_place(tmp: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.replace(target)


def _sha256_of(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


async def verified_path(document: Document, archive_dir: Path) -> Path:
    """The stored file, after checking its SHA-256 against the record (409 when they differ); the file
    is hashed in a worker thread."""
    path = archive_dir / document.storage_key
    stored = await to_thread.run_sync(_sha256_of, path)
    if stored is None:
        raise IntegrityFailed(_("the content of document {id} is missing from the archive", id=document.id))
    if stored != document.sha256:
        raise IntegrityFailed(
            _(
                "document {id} fails its SHA-256 check: stored {stored}, recorded {recorded}",
                id=document.id,
                stored=stored,
                recorded=document.sha256,
            )
        )
    return path


async def iter_file(path: Path) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as f:
        while chunk := await f.read(CHUNK):
            yield chunk


async def search(
    session: AsyncSession,
    *,
    filters: dict[str, Any],
    year: int | None,
    q: str | None,
    scope: str | None,
    limit: int,
    offset: int,
) -> tuple[list[ArchiveEntry], int]:
    rows, total = await repository.search(
        session, filters=filters, year=year, q=q, only_vendor_id=scope, limit=limit, offset=offset
    )
    items = [
        ArchiveEntry.model_validate(
            {
                **DocumentRead.model_validate(d).model_dump(),
                "vendor_id": c.vendor_id,
                "project_code": c.project_code,
                "contract_status": c.status,
            }
        )
        for d, c in rows
    ]
    return items, total


async def list_for_contract(
    session: AsyncSession, *, contract: Contract, filename: str | None, sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Document], int]:
    return await repository.list_for_contract(
        session, contract.id, filename=filename, sort=sort, desc=desc, limit=limit, offset=offset
    )
