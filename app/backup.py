"""Backup and restore of an installation: the index, the service database, uploads, reports.

A backup is a folder: `store.jsonl.gz` (every point with its vectors and payload, written
through the `ChunkStore` contract, so an embedded backup restores onto a Qdrant server and back),
`database.jsonl.gz` (every row of the service's tables, keys' hashes included), `files/`
(uploads and sync reports as they were) and `manifest.json` (format, the index recipe, counts
and the sha256 of every file). Qdrant Edge 0.9 can apply a server snapshot but not write one,
and a copied shard directory only fits the engine and version that wrote it, hence the dump.

Restore checks every checksum and the recipe before it writes anything, and writes only into
an empty installation: nothing already indexed or recorded is ever overwritten.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, Table, func, insert, select, text

from app.db.models import Base
from app.services import Services
from retrieval.store.base import ChunkRecord, SparseVector

FORMAT = 1
MANIFEST = "manifest.json"
STORE_FILE = "store.jsonl.gz"
DATABASE_FILE = "database.jsonl.gz"
FILE_FOLDERS = ("uploads", "reports")  # under the data directory
BATCH = 256


class BackupError(RuntimeError):
    """A backup that cannot be written or restored; the message is for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    points: int
    rows: int
    files: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _tables() -> list[Table]:
    """Parents before children (sessions before turns), the order rows can be inserted in."""
    return list(Base.metadata.sorted_tables)


def _document_ids(services: Services) -> list[str]:
    hits = services.store.scroll(fields=["document_id"])
    return sorted({str(hit.payload["document_id"]) for hit in hits})


def _records(services: Services) -> Iterator[ChunkRecord]:
    for document_id in _document_ids(services):
        yield from services.store.document_records(document_id)


def _write_store(services: Services, path: Path) -> int:
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in _records(services):
            line = {
                "id": record.id,
                "dense": list(record.dense),
                "sparse": [list(record.sparse.indices), list(record.sparse.values)],
                "payload": record.payload,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _write_database(services: Services, path: Path) -> int:
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as out, services.database.session() as session:
        for table in _tables():
            for row in session.execute(select(table)).mappings():
                values = {k: _json_value(v) for k, v in row.items()}
                out.write(json.dumps({"table": table.name, "row": values}, ensure_ascii=False))
                out.write("\n")
                count += 1
    return count


def _copy_files(data_dir: Path, target: Path) -> None:
    for folder in FILE_FOLDERS:
        source = data_dir / folder
        if source.is_dir():
            shutil.copytree(source, target / "files" / folder, symlinks=False)


def _revision(services: Services) -> str | None:
    with services.database.session() as session:
        return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup(services: Services, target: Path) -> BackupSummary:
    """Write a backup of this installation into `target`, which must not exist or be empty.

    In embedded mode the store belongs to one process: stop the API first (the store then
    reports itself in use)."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"백업 폴더가 비어 있지 않습니다: {target} (the folder is not empty)")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)  # key hashes and the audit log inside
    points = _write_store(services, target / STORE_FILE)
    rows = _write_database(services, target / DATABASE_FILE)
    _copy_files(services.retrieval.data_dir, target)
    files = {
        str(path.relative_to(target)): {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        for path in sorted(target.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "store": services.retrieval.store,
        "collection": services.retrieval.collection,
        "dense_dim": services.embedder.dim,
        "recipe": services.indexer.recipe(),
        "points": points,
        "rows": rows,
        "database_revision": _revision(services),
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    return BackupSummary(target, points, rows, len(files))


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after every listed file's checksum is verified (and no file is missing)."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(
            f"백업 목록(manifest.json)을 읽을 수 없습니다: {source} (not a backup: {error})"
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"지원하지 않는 백업 형식입니다: {manifest.get('format')} (format {FORMAT} expected)"
        )
    for name, expected in manifest.get("files", {}).items():
        path = source / name
        if not path.is_file() or sha256_file(path) != expected["sha256"]:
            raise BackupError(
                f"백업이 손상되었습니다: {name}의 체크섬이 맞지 않거나 파일이 없습니다 "
                "(backup is corrupt: checksum mismatch)"
            )
    for required in (STORE_FILE, DATABASE_FILE):
        if required not in manifest.get("files", {}):
            raise BackupError(f"백업에 {required}가 없습니다 (incomplete backup)")
    return manifest


def _check_compatible(services: Services, manifest: dict[str, Any]) -> None:
    """The index recipe must match this installation's: vectors from another embedding model
    cannot be searched with this one, and other BM25 or chunking settings would mix recipes."""
    current = services.indexer.recipe()
    saved: dict[str, str] = manifest.get("recipe", {})
    different = sorted(k for k in current.keys() | saved.keys() if current.get(k) != saved.get(k))
    if different or manifest.get("dense_dim") != services.embedder.dim:
        detail = ", ".join(f"{k}: 백업 {saved.get(k)} / 현재 {current.get(k)}" for k in different)
        raise BackupError(
            "백업의 색인 설정이 현재 설정과 다릅니다 — "
            f"{detail or 'dense_dim'} (the backup was made with another index recipe; "
            "restore it with the same settings, e.g. KDOCQA_EMBEDDING_MODEL)"
        )


def _check_empty(services: Services) -> None:
    if services.store.count() > 0:
        raise BackupError(
            f"색인이 비어 있지 않아 복원하지 않습니다 ({services.store.count()}개 청크). "
            "빈 설치에만 복원합니다 (restore needs an empty index)."
        )
    with services.database.session() as session:
        for table in _tables():
            if session.execute(select(func.count()).select_from(table)).scalar():
                raise BackupError(
                    f"데이터베이스의 {table.name} 테이블이 비어 있지 않아 복원하지 않습니다 "
                    "(restore needs an empty database)."
                )
    for folder in FILE_FOLDERS:
        path = services.retrieval.data_dir / folder
        if path.is_dir() and any(path.iterdir()):
            raise BackupError(f"{path}가 비어 있지 않아 복원하지 않습니다 (not empty).")


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _restore_store(services: Services, path: Path) -> int:
    batch: list[ChunkRecord] = []
    count = 0
    for line in _lines(path):
        indices, values = line["sparse"]
        batch.append(
            ChunkRecord(line["id"], line["dense"], SparseVector(indices, values), line["payload"])
        )
        if len(batch) >= BATCH:
            services.store.upsert(batch)
            count, batch = count + len(batch), []
    services.store.upsert(batch)
    services.store.optimize()
    return count + len(batch)


def _restore_database(services: Services, path: Path) -> int:
    tables = {table.name: table for table in _tables()}
    count = 0
    with services.database.session() as session:
        for line in _lines(path):
            table = tables[line["table"]]
            row = {
                k: datetime.fromisoformat(v)
                if v is not None and isinstance(table.c[k].type, DateTime)
                else v
                for k, v in line["row"].items()
            }
            session.execute(insert(table).values(row))
            count += 1
        if services.database.engine.dialect.name == "postgresql":
            for table in tables.values():  # explicit ids were inserted: move the sequences on
                if "id" in table.c and isinstance(table.c["id"].type, Integer):
                    session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    return count


def restore(services: Services, source: Path) -> BackupSummary:
    """Restore `source` into this installation, which must be empty; refuses a corrupt or
    mismatched backup before writing anything."""
    manifest = read_manifest(source)
    _check_compatible(services, manifest)
    _check_empty(services)
    points = _restore_store(services, source / STORE_FILE)
    try:
        rows = _restore_database(services, source / DATABASE_FILE)
    except Exception:  # the database refused a row: leave the installation empty again
        for document in _document_ids(services):
            services.store.delete_document(document)
        raise
    data_dir = services.retrieval.data_dir
    for folder in FILE_FOLDERS:
        saved = source / "files" / folder
        if saved.is_dir():
            shutil.copytree(saved, data_dir / folder, dirs_exist_ok=True)
    return BackupSummary(source, points, rows, len(manifest["files"]))
