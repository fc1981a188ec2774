"""Documents as resources. Readers list and inspect the documents they may read (GET
/v1/documents, /v1/documents/{id}); editors upload (POST /v1/documents), delete and re-index,
in the knowledge bases their key names, documents whose groups they all hold.

`readable_document` is the one place that finds a document by id for a caller: unknown and
unreadable ids are the same 404, so an id never reveals that a document exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from app.api.deps import CallerDep, EditorDep, ServicesDep
from app.api.errors import ApiError, unknown_knowledge_base
from app.identity import KNOWLEDGE_BASE_PATTERN, Caller, valid_group
from app.inventory import (
    DocumentInfo,
    document_chunks,
    documents,
    find_document,
    reindex_document,
    remove_document,
)
from app.observability import record_files
from app.services import Services
from app.uploads import BadUpload, copy_limited, existing_groups, ingest_upload, safe_file_name
from app.uploads import upload_folder as confined_folder

router = APIRouter(tags=["documents"])


def _groups(caller: Caller, raw: str | None) -> list[str]:
    """The upload's access groups: as given (each one the caller holds, or '*'), or by default
    the caller's own groups ('*' for an unrestricted caller). A blank value is an error, never
    "public"."""
    if raw is None:
        return ["*"] if caller.groups is None else list(caller.groups) or ["*"]
    groups = [g.strip() for g in raw.split(",") if g.strip()]
    if not groups or not all(valid_group(g) for g in groups):
        raise ApiError(
            422, "invalid_groups", "접근 그룹을 쉼표로 구분해 적어 주세요 (전체 공개는 '*')."
        )
    if not caller.may_assign_groups(groups):
        raise ApiError(403, "forbidden", "자신이 속하지 않은 그룹으로 문서를 올릴 수 없습니다.")
    return groups


def _editable_target(services: Services, caller: Caller, knowledge_base: str, name: str) -> Path:
    """The file's place in the uploads folder; 403 when a document is already indexed there
    whose groups the caller does not all hold (it may neither replace it nor change them)."""
    _require_editable(caller, knowledge_base)
    try:
        target = confined_folder(services.uploads_dir, knowledge_base) / safe_file_name(name)
    except BadUpload as error:
        raise ApiError(422, "invalid_file_name", str(error)) from error
    _require_editable(
        caller, knowledge_base, existing_groups(services.indexer, knowledge_base, target)
    )
    return target


def _require_editable(caller: Caller, knowledge_base: str, groups: list[str] | None = None) -> None:
    """403 unless the editor may write in the knowledge base and holds all the groups of the
    document already there (`groups`; None = no such document): it may then neither replace it
    nor change who reads it."""
    if not caller.may_edit_knowledge_base(knowledge_base):
        raise ApiError(
            403,
            "forbidden",
            f"지식베이스 '{knowledge_base}'에 문서를 올리거나 바꿀 권한이 없습니다.",
        )
    if groups is not None and not caller.may_assign_groups(groups):
        raise ApiError(403, "forbidden", "이 문서를 바꿀 권한이 없습니다 (다른 그룹의 문서).")


@router.post("/v1/documents")
def upload(
    caller: EditorDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File()],
    knowledge_base: Annotated[str, Form(max_length=200)] = "default",
    groups: Annotated[
        str | None, Form(max_length=2000, description="Comma-separated access groups.")
    ] = None,
) -> dict[str, Any]:
    target = _editable_target(services, caller, knowledge_base, file.filename or "")
    acl = _groups(caller, groups)
    limit = int(services.indexer.settings.max_file_mb * 1_048_576)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = copy_limited(file.file, target.parent, limit)
    if staged is None:
        raise ApiError(413, "too_large", f"파일이 너무 큽니다 (최대 {limit // 1_048_576} MB).")
    with services.ingest_lock:
        outcome = ingest_upload(
            services.indexer, staged, target, knowledge_base, acl, services.upload_pool
        )
    record_files("upload", {outcome.status: 1})
    services.audit.record(
        caller,
        "upload",
        knowledge_base=knowledge_base,
        file=target.name,
        groups=acl,
        status=outcome.status,
        reason=outcome.reason,
    )
    if outcome.status in ("failed", "skipped"):
        status = {"unsupported_type": 415, "too_large": 413}.get(outcome.reason, 422)
        raise ApiError(status, outcome.reason or "failed", outcome.message)
    return {"file": target.name, "status": outcome.status, "chunks": outcome.chunks}


@router.delete("/v1/documents/{knowledge_base}/{file_name}")
def delete_document(
    knowledge_base: str, file_name: str, caller: EditorDep, services: ServicesDep
) -> dict[str, Any]:
    """Remove an uploaded document: its file and its chunks."""
    target = _editable_target(services, caller, knowledge_base, file_name)
    current = existing_groups(services.indexer, knowledge_base, target)
    if current is None or not caller.may_read_groups(current):
        raise ApiError(404, "unknown_document", "그런 문서가 없습니다.")
    with services.ingest_lock:
        services.indexer.delete_file(target, knowledge_base)
    services.audit.record(caller, "delete", knowledge_base=knowledge_base, file=target.name)
    return {"file": target.name, "status": "deleted"}


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def unknown_document() -> ApiError:
    return ApiError(404, "unknown_document", "그런 문서가 없습니다.")


def readable_document(services: Services, caller: Caller, document_id: str) -> DocumentInfo:
    """The document with this id, if the caller may read it (its knowledge bases and groups);
    404 `unknown_document` otherwise, the same for an id that does not exist."""
    if not _UUID.fullmatch(document_id):
        raise unknown_document()
    found = find_document(services.store, caller.search_filter(), document_id, services.uploads_dir)
    if found is None:
        raise unknown_document()
    return found


def _editable_document(services: Services, caller: Caller, document_id: str) -> DocumentInfo:
    """A readable document the editor may change: its knowledge base and all its groups."""
    document = readable_document(services, caller, document_id)
    _require_editable(caller, document.knowledge_base, document.groups)
    return document


@router.get("/v1/documents")
def list_documents(
    caller: CallerDep,
    services: ServicesDep,
    knowledge_base: Annotated[str | None, Query(pattern=KNOWLEDGE_BASE_PATTERN)] = None,
) -> dict[str, Any]:
    """The documents the caller may read, in one knowledge base or all of them."""
    if knowledge_base is not None and not caller.may_read_knowledge_base(knowledge_base):
        raise unknown_knowledge_base(knowledge_base)
    listed = documents(services.store, caller.search_filter(knowledge_base), services.uploads_dir)
    if knowledge_base is not None and not listed:
        raise unknown_knowledge_base(knowledge_base)
    return {"documents": [d.as_dict() for d in listed]}


@router.get("/v1/documents/{document_id}")
def get_document(document_id: str, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """One document with its chunks (text, section, pages) in document order."""
    document = readable_document(services, caller, document_id)
    chunks = document_chunks(services.store, document)
    return {**document.as_dict(), "chunk_list": [vars(c) for c in chunks]}


@router.delete("/v1/documents/{document_id}")
def delete_document_by_id(
    document_id: str, caller: EditorDep, services: ServicesDep
) -> dict[str, Any]:
    """Remove a document's chunks, and its file when it was uploaded. A document from a sync
    source comes back on the next sync unless its file is removed from the source."""
    document = _editable_document(services, caller, document_id)
    remove_document(services, document)
    services.audit.record(
        caller,
        "delete",
        knowledge_base=document.knowledge_base,
        file=document.file_name,
        document_id=document.id,
    )
    return {"id": document.id, "file": document.file_name, "status": "deleted"}


@router.post("/v1/documents/{document_id}/reindex")
def reindex(document_id: str, caller: EditorDep, services: ServicesDep) -> dict[str, Any]:
    """Parse, chunk and embed one document again from its file, keeping its knowledge base
    and groups. The file parses on the isolated upload worker; a failure keeps what was
    indexed. 409 `source_missing` when the file is gone."""
    document = _editable_document(services, caller, document_id)
    try:
        outcome = reindex_document(services, document)
    except FileNotFoundError as error:
        raise ApiError(409, "source_missing", str(error)) from error
    record_files("reindex", {outcome.status: 1})
    services.audit.record(
        caller,
        "reindex",
        knowledge_base=document.knowledge_base,
        file=document.file_name,
        document_id=document.id,
        status=outcome.status,
        reason=outcome.reason,
    )
    if outcome.status in ("failed", "skipped"):
        raise ApiError(422, outcome.reason or "failed", outcome.message)
    return {
        "id": document.id,
        "file": document.file_name,
        "status": outcome.status,
        "chunks": outcome.chunks,
    }
