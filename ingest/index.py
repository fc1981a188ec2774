"""Index writes: a file or folder in, chunks with dense + BM25 vectors out, in step with the source.

Sync rules: a file whose content hash is already indexed costs nothing; a changed file's new
chunks are written before its old ones are deleted (a question asked mid-run never finds the
document missing); a file that fails to parse keeps whatever was indexed before; files gone
from an ingested folder lose their chunks. Point ids are uuid5(document id, version, chunk
index), so re-running the same work overwrites rather than duplicates.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ingest.chunking import Chunk, chunk_elements
from ingest.elements import ParseError
from ingest.parsers import parse_file
from ingest.settings import IngestSettings
from ingest.settings import get_settings as get_ingest_settings
from retrieval.embedding import Embedder
from retrieval.settings import RetrievalSettings
from retrieval.settings import get_settings as get_retrieval_settings
from retrieval.sparse import bm25_document_vector, tokenize
from retrieval.store.base import ChunkRecord, ChunkStore, SearchFilter

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1c2a3e-9d4b-5e8f-a1b2-c3d4e5f60718")

Status = Literal["added", "updated", "unchanged", "deleted", "skipped", "failed"]


@dataclass
class FileOutcome:
    path: str
    status: Status
    chunks: int = 0
    reason: str = ""
    message: str = ""


@dataclass
class IngestReport:
    knowledge_base: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(("added", "updated", "unchanged", "deleted", "skipped", "failed"), 0)
        for outcome in self.outcomes:
            totals[outcome.status] += 1
        return totals

    def to_dict(self) -> dict[str, object]:
        return {
            "knowledge_base": self.knowledge_base,
            "counts": self.counts(),
            "seconds": round(self.seconds, 2),
            "files": [asdict(o) for o in self.outcomes],
        }


def document_id(knowledge_base: str, path: Path) -> str:
    """Stable per (knowledge base, absolute path), with Hangul file names NFC-normalised."""
    key = unicodedata.normalize("NFC", f"{knowledge_base}:{path.resolve()}")
    return str(uuid.uuid5(_NAMESPACE, key))


def point_id(doc_id: str, version: str, chunk_index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{doc_id}:{version}:{chunk_index}"))


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(root: Path) -> Iterator[Path]:
    """Regular files under root in a stable order; hidden files and symlinked folders skipped."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and not name.startswith("~$"):
                yield Path(dirpath) / name


class Indexer:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        settings: IngestSettings | None = None,
        retrieval_settings: RetrievalSettings | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or get_ingest_settings()
        self.retrieval_settings = retrieval_settings or get_retrieval_settings()
        store.ensure_collection(embedder.dim)

    def indexed_versions(self, knowledge_base: str) -> dict[str, tuple[str, str]]:
        """{document id: (version, source uri)} of what the store holds for a knowledge base."""
        found: dict[str, tuple[str, str]] = {}
        fields = ["document_id", "version", "source_uri"]
        for hit in self.store.scroll(SearchFilter(knowledge_bases=[knowledge_base]), fields):
            found[str(hit.payload["document_id"])] = (
                str(hit.payload["version"]),
                str(hit.payload["source_uri"]),
            )
        return found

    def ingest(
        self,
        root: Path,
        knowledge_base: str | None = None,
        acl_groups: Sequence[str] | None = None,
        progress: Callable[[int, int, FileOutcome], None] | None = None,
    ) -> IngestReport:
        kb = knowledge_base or self.settings.default_knowledge_base
        groups = list(acl_groups or self.settings.default_acl_groups)
        started = time.perf_counter()
        report = IngestReport(kb)
        if not root.exists():
            raise FileNotFoundError(f"경로가 없습니다: {root}")
        indexed = self.indexed_versions(kb)
        files = list(discover(root))
        seen: set[str] = set()
        for number, path in enumerate(files, 1):
            doc_id = document_id(kb, path)
            seen.add(doc_id)
            outcome = self._ingest_file(path, doc_id, kb, groups, indexed.get(doc_id))
            report.outcomes.append(outcome)
            if progress:
                progress(number, len(files), outcome)
        if root.is_dir():
            prefix = str(root.resolve()) + os.sep
            for doc_id, (_, uri) in indexed.items():
                if doc_id not in seen and uri.startswith(prefix) and not Path(uri).exists():
                    self.store.delete_document(doc_id)
                    report.outcomes.append(FileOutcome(uri, "deleted"))
        counts = report.counts()
        if counts["added"] or counts["updated"] or counts["deleted"]:
            self.store.optimize()
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(
        self,
        path: Path,
        doc_id: str,
        kb: str,
        groups: list[str],
        previous: tuple[str, str] | None,
    ) -> FileOutcome:
        shown = unicodedata.normalize("NFC", str(path))
        size_mb = path.stat().st_size / 1_048_576
        if size_mb > self.settings.max_file_mb:
            return FileOutcome(
                shown,
                "skipped",
                reason="too_large",
                message=f"파일이 너무 큽니다 ({size_mb:.1f} MB > {self.settings.max_file_mb:g} MB)",
            )
        version = content_hash(path)[:16]
        if previous and previous[0] == version:
            return FileOutcome(shown, "unchanged")
        try:
            elements = parse_file(path)
            chunks = chunk_elements(
                elements,
                self.embedder.count_tokens,
                self.settings.chunk_tokens,
                self.settings.chunk_overlap_sentences,
            )
        except ParseError as error:
            status: Status = (
                "skipped" if error.reason in ("unsupported_type", "empty") else "failed"
            )
            return FileOutcome(shown, status, reason=error.reason, message=str(error))
        if not chunks:
            return FileOutcome(shown, "skipped", reason="empty", message="추출된 텍스트가 없습니다")
        records = self._records(path, doc_id, version, kb, groups, chunks)
        self.store.upsert(records)
        self.store.delete_document(doc_id, except_version=version)
        return FileOutcome(shown, "updated" if previous else "added", chunks=len(records))

    def _records(
        self,
        path: Path,
        doc_id: str,
        version: str,
        kb: str,
        groups: list[str],
        chunks: list[Chunk],
    ) -> list[ChunkRecord]:
        title = unicodedata.normalize("NFC", path.stem)
        contexts = [_contextualize(title, chunk) for chunk in chunks]
        vectors = []
        batch = self.settings.embed_batch
        for start in range(0, len(contexts), batch):
            vectors.extend(self.embedder.embed_passages(contexts[start : start + batch]).tolist())
        now = datetime.now(UTC).isoformat(timespec="seconds")
        records = []
        for index, (chunk, context, dense) in enumerate(
            zip(chunks, contexts, vectors, strict=True)
        ):
            payload = {
                "document_id": doc_id,
                "chunk_index": index,
                "text": chunk.text,
                "title": title,
                "file_name": unicodedata.normalize("NFC", path.name),
                "section_path": chunk.section_path,
                "section": " > ".join(chunk.section_path),
                "pages": chunk.pages,
                "page": chunk.pages[0] if chunk.pages else None,
                "sheet": chunk.sheet,
                "kind": chunk.kind,
                "source_uri": unicodedata.normalize("NFC", str(path.resolve())),
                "file_type": path.suffix.lower().lstrip("."),
                "content_hash": version,
                "version": version,
                "ingested_at": now,
                "knowledge_base": kb,
                "acl_groups": groups,
            }
            sparse = bm25_document_vector(
                tokenize(context, self.retrieval_settings), self.retrieval_settings
            )
            records.append(ChunkRecord(point_id(doc_id, version, index), dense, sparse, payload))
        return records


def _contextualize(title: str, chunk: Chunk) -> str:
    """What gets embedded and BM25-indexed: the chunk with its document title and section path."""
    heading = " > ".join([title, *chunk.section_path])
    return f"{heading}\n{chunk.text}"
