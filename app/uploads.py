"""Uploaded files: names checked, paths confined to data/uploads/<knowledge base>, and a file
indexed under its final name only when it parsed (a failed upload leaves nothing behind)."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from app.identity import valid_knowledge_base
from ingest.index import FileOutcome, Indexer, document_id
from ingest.parse_pool import ParsePool
from retrieval.store.base import SearchFilter

MAX_NAME_BYTES = 200
"""UTF-8 bytes of a file name: 255 is the filesystem's limit, less the ".previous-" prefix."""


class BadUpload(ValueError):
    """The name or knowledge base cannot be used (the message says why, in Korean)."""


def safe_file_name(raw: str | None) -> str:
    """The file name NFC-normalised; refuses paths (either slash), '..', hidden names, control
    and bidi/format characters (RTL overrides disguise extensions), lone surrogates and names
    over MAX_NAME_BYTES."""
    name = unicodedata.normalize("NFC", raw or "")
    if not name.strip() or name != name.strip():
        raise BadUpload("파일 이름이 비어 있거나 앞뒤에 공백이 있습니다.")
    if "/" in name or "\\" in name or ":" in name:
        raise BadUpload("파일 이름에 경로(/, \\, :)를 넣을 수 없습니다.")
    if name.startswith(".") or ".." in name:
        raise BadUpload("'.'으로 시작하거나 '..'이 들어간 파일 이름은 쓸 수 없습니다.")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise BadUpload("파일 이름에 제어 문자나 방향 전환 문자를 넣을 수 없습니다.")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise BadUpload(f"파일 이름이 너무 깁니다 (UTF-8 {MAX_NAME_BYTES}바이트 이내).")
    return name


def upload_folder(uploads: Path, knowledge_base: str) -> Path:
    """data/uploads/<knowledge base>, checked to lie inside data/uploads after resolving."""
    if not valid_knowledge_base(knowledge_base):
        raise BadUpload("지식베이스 이름은 영문·숫자·한글·'_'·'-' 1~64자여야 합니다.")
    root = uploads.resolve()
    folder = (root / knowledge_base).resolve()
    if not folder.is_relative_to(root) or folder == root:
        raise BadUpload("지식베이스 폴더가 업로드 폴더 밖을 가리킵니다.")
    return folder


def existing_groups(indexer: Indexer, knowledge_base: str, target: Path) -> list[str] | None:
    """The access groups of the document already indexed at `target`; None if there is none."""
    doc = SearchFilter(document_ids=[document_id(knowledge_base, target)])
    for hit in indexer.store.scroll(doc, ["acl_groups"]):
        return list(hit.payload.get("acl_groups") or [])
    return None


def copy_limited(source: BinaryIO, folder: Path, limit: int) -> Path | None:
    """The upload copied to a hidden temporary file in `folder`; None (and no file) when it is
    over `limit` bytes."""
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", delete=False) as out:
        copied = 0
        try:
            while block := source.read(1 << 20):
                copied += len(block)
                if copied > limit:
                    break
                out.write(block)
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
    if copied > limit:
        Path(out.name).unlink(missing_ok=True)
        return None
    return Path(out.name)


def ingest_upload(
    indexer: Indexer,
    staged: Path,
    target: Path,
    knowledge_base: str,
    groups: Sequence[str],
    pool: ParsePool | None = None,
) -> FileOutcome:
    """Index under the final name only when parsing succeeded; otherwise nothing changes.
    The caller holds the ingest lock."""
    backup = target.with_name(f".previous-{target.name}")
    had_previous = target.exists()

    def restore() -> None:
        if had_previous:
            backup.replace(target)
        else:
            target.unlink(missing_ok=True)

    try:
        if had_previous:
            shutil.copy2(target, backup)
        staged.replace(target)
        report = indexer.ingest(target, knowledge_base, list(groups), pool=pool)
        outcome = report.outcomes[0]
        if outcome.status in ("failed", "skipped"):
            restore()
        return outcome
    except BaseException:
        restore()
        raise
    finally:
        staged.unlink(missing_ok=True)
        backup.unlink(missing_ok=True)
