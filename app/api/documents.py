"""POST /v1/documents (upload and index) and DELETE /v1/documents/{kb}/{name}: editors, in the
knowledge bases their key names, for documents whose groups they hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from app.api.deps import EditorDep, ServicesDep
from app.api.errors import ApiError
from app.identity import Caller, valid_group
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
    if not caller.may_edit_knowledge_base(knowledge_base):
        raise ApiError(
            403, "forbidden", f"지식베이스 '{knowledge_base}'에 문서를 올릴 권한이 없습니다."
        )
    try:
        target = confined_folder(services.uploads_dir, knowledge_base) / safe_file_name(name)
    except BadUpload as error:
        raise ApiError(422, "invalid_file_name", str(error)) from error
    current = existing_groups(services.indexer, knowledge_base, target)
    if current is not None and not caller.may_assign_groups(current):
        raise ApiError(403, "forbidden", "이 문서를 바꿀 권한이 없습니다 (다른 그룹의 문서).")
    return target


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
