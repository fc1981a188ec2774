"""Index writes: a file or folder in, chunks with dense + BM25 vectors out, in step with the source.

Sync rules:
* a file whose version (content hash + index recipe) is completely indexed costs nothing;
* a changed file's new chunks are written before its old ones are deleted, so a question asked
  mid-run never finds the document missing; a file that fails to parse keeps what was indexed;
* a file that vanished while a file with the same content appeared is a move: its points are
  re-written under the new path without embedding anything; a permission or knowledge-base
  change re-writes payloads the same way;
* files gone from an ingested folder lose their chunks.
Point ids are uuid5(document id, version, chunk index), so repeating work overwrites rather
than duplicates, and every point records how many chunks its version has: a run killed midway
leaves either an incomplete version or two versions of a file, which the next run detects and
repairs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import unicodedata
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from ingest.chunking import Chunk, TokenCounter, chunk_elements
from ingest.elements import Element, ParseError
from ingest.parse_pool import POOL_MIN_FILES, ParseJob, ParsePool, parse_workers
from ingest.parsers import parse_file
from ingest.settings import IngestSettings
from ingest.settings import get_settings as get_ingest_settings
from ingest.tables import RECIPE as TABLE_RECIPE
from retrieval.embedding import Embedder
from retrieval.settings import RetrievalSettings
from retrieval.settings import get_settings as get_retrieval_settings
from retrieval.sparse import bm25_document_vector, tokenize
from retrieval.store.base import ChunkRecord, ChunkStore, SearchFilter

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1c2a3e-9d4b-5e8f-a1b2-c3d4e5f60718")

_SKIPPED = frozenset(
    {"unsupported_type", "empty", "too_large", "ocr_unavailable", "ocr_unreadable", "garbled_text"}
)
"""Reasons that no retry can change (the file or the installation must); others fail."""

Status = Literal["added", "updated", "moved", "unchanged", "deleted", "skipped", "failed"]
STATUSES: tuple[Status, ...] = get_args(Status)


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
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent per phase: hash, parse (waiting for parsed files), chunk, embed, sparse,
    write."""

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for outcome in self.outcomes:
            totals[outcome.status] += 1
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "knowledge_base": self.knowledge_base,
            "counts": self.counts(),
            "seconds": round(self.seconds, 2),
            "phases": {k: round(v, 2) for k, v in self.phases.items()},
            "files": [asdict(o) for o in self.outcomes],
        }


def document_id(knowledge_base: str, path: Path) -> str:
    """Stable per (knowledge base, absolute path), with Hangul file names NFC-normalised."""
    key = unicodedata.normalize("NFC", f"{knowledge_base}:{real_path(path)}")
    return str(uuid.uuid5(_NAMESPACE, key))


def real_path(path: Path) -> str:
    """Absolute path with symlinks resolved; unlike Path.resolve it never raises on a loop
    (the file then fails to open and is reported)."""
    return os.path.realpath(path)


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


@dataclass
class IndexedDocument:
    uri: str
    digest: str
    groups: list[str]
    points: dict[str, int] = field(default_factory=dict)
    """Points stored per version (more than one version only after an interrupted run)."""
    totals: dict[str, int] = field(default_factory=dict)
    """Chunks each version should have (0 for points written before this was recorded)."""

    def complete(self, version: str) -> bool:
        """Exactly this version, with all of its chunks."""
        total = self.totals.get(version) or self.points.get(version)
        return list(self.points) == [version] and self.points[version] == total


class _Vanished:
    """Indexed documents whose file is gone: moves take them by content hash, the rest are
    deleted at the end of the run."""

    def __init__(self, indexed: dict[str, IndexedDocument]) -> None:
        self.documents = {d: doc for d, doc in indexed.items() if not Path(doc.uri).exists()}
        self._by_digest: dict[str, list[str]] = {}
        for doc_id, doc in self.documents.items():
            self._by_digest.setdefault(doc.digest, []).append(doc_id)

    def take(self, digest: str, version: str) -> tuple[str, IndexedDocument] | None:
        for doc_id in self._by_digest.get(digest, []):
            doc = self.documents[doc_id]
            if doc.complete(version):
                self._by_digest[digest].remove(doc_id)
                return doc_id, self.documents.pop(doc_id)
        return None


_Step = TypeVar("_Step")


@dataclass
class _Parsing:
    """A file whose new version is with the parse pool."""

    doc_id: str
    version: str
    digest: str
    replaces: bool
    """Whether an older version is indexed (the outcome is then "updated", not "added")."""
    job: ParseJob


def _unless_unreadable(path: Path, step: Callable[[], _Step]) -> _Step | FileOutcome:
    """The step's result, or a "failed" outcome for a file gone mid-run, unreadable or a
    symlink loop."""
    try:
        return step()
    except OSError as error:
        return FileOutcome(
            unicodedata.normalize("NFC", str(path)),
            "failed",
            reason="unreadable",
            message=f"파일을 읽을 수 없습니다: {error.strerror or error}",
        )


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
        self._phase_seconds: dict[str, float] = {}
        store.ensure_collection(embedder.dim)

    @contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        """Adds the time spent inside to the run's per-phase totals (IngestReport.phases)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self._phase_seconds[name] = self._phase_seconds.get(name, 0.0) + elapsed

    def recipe(self) -> dict[str, str]:
        """How files are indexed: embedding model, BM25 terms and parameters, chunking, table
        text. Part of every version (below) and of a backup's manifest."""
        r, i = self.retrieval_settings, self.settings
        return {
            "embedding_model": self.embedder.name,
            "sparse_terms": r.sparse_terms,
            "bm25_k1": str(r.bm25_k1),
            "bm25_b": str(r.bm25_b),
            "bm25_avg_doc_len": str(r.bm25_avg_doc_len),
            "user_dictionary": str(r.user_dictionary),
            "chunk_tokens": str(i.chunk_tokens),
            "chunk_overlap_sentences": str(i.chunk_overlap_sentences),
            "tables": TABLE_RECIPE,
        }

    def _version(self, digest: str) -> str:
        """The file's content hash bound to how it is indexed.

        A change of embedding model, BM25 terms, chunking or table text (TABLE_RECIPE) makes
        every version new, so the
        next run re-indexes everything instead of mixing old and new vectors.
        """
        recipe = "|".join([digest, *self.recipe().values()])
        return hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:16]

    def indexed_documents(self, knowledge_base: str) -> dict[str, IndexedDocument]:
        """What the store holds for a knowledge base, per document id."""
        found: dict[str, IndexedDocument] = {}
        fields = [
            "document_id",
            "version",
            "source_uri",
            "content_hash",
            "acl_groups",
            "chunks_total",
        ]
        for hit in self.store.scroll(SearchFilter(knowledge_bases=[knowledge_base]), fields):
            p = hit.payload
            doc = found.setdefault(
                str(p["document_id"]),
                IndexedDocument(
                    str(p["source_uri"]), str(p["content_hash"]), sorted(p["acl_groups"])
                ),
            )
            version = str(p["version"])
            doc.points[version] = doc.points.get(version, 0) + 1
            doc.totals[version] = int(p.get("chunks_total") or 0)
        return found

    def ingest(
        self,
        root: Path,
        knowledge_base: str | None = None,
        acl_groups: Sequence[str] | None = None,
        progress: Callable[[int, int, FileOutcome], None] | None = None,
        pool: ParsePool | None = None,
        force: bool = False,
    ) -> IngestReport:
        """Index a file or folder. With `pool` (kept open for the caller) files parse there,
        e.g. the API's isolated upload worker; otherwise a pool is made for this run. `force`
        parses and embeds files again even when their indexed version is complete (a re-index
        asked for by an editor); the old chunks still go only after the new ones are written."""
        kb = knowledge_base or self.settings.default_knowledge_base
        groups = list(acl_groups or self.settings.default_acl_groups)
        started = time.perf_counter()
        report = IngestReport(kb)
        if not root.exists():
            raise FileNotFoundError(f"경로가 없습니다: {root}")
        indexed = self.indexed_documents(kb)
        vanished = _Vanished(indexed)
        files = list(discover(root))
        seen: set[str] = set()
        workers = parse_workers(self.settings.parse_workers)
        parsing = pool or ParsePool(
            workers if len(files) >= POOL_MIN_FILES else 1,
            self.settings.max_unpacked_mb,
            timeout_s=self.settings.parse_timeout_s,
            ocr=self.settings.ocr_options(),
        )
        ahead: deque[tuple[Path, FileOutcome | _Parsing]] = deque()

        def collect(keep: int) -> None:
            while len(ahead) > keep:
                path, step = ahead.popleft()
                outcome = (
                    _unless_unreadable(
                        path, partial(self._finish_file, path, step, kb, groups, parsing)
                    )
                    if isinstance(step, _Parsing)
                    else step
                )
                report.outcomes.append(outcome)
                if progress:
                    progress(len(report.outcomes), len(files), outcome)

        with parsing if pool is None else nullcontext(parsing):
            for path in files:
                doc_id = document_id(kb, path)
                seen.add(doc_id)
                previous = indexed.get(doc_id)
                step = _unless_unreadable(
                    path,
                    partial(
                        self._start_file,
                        path,
                        doc_id,
                        kb,
                        groups,
                        previous,
                        vanished,
                        parsing,
                        force,
                    ),
                )
                ahead.append((path, step))
                collect(keep=parsing.lookahead)
            collect(keep=0)
        if root.is_dir():
            prefix = str(root.resolve()) + os.sep
            for doc_id, doc in vanished.documents.items():
                if doc_id not in seen and doc.uri.startswith(prefix):
                    self.store.delete_document(doc_id)
                    report.outcomes.append(FileOutcome(doc.uri, "deleted"))
        counts = report.counts()
        if counts["added"] or counts["updated"] or counts["moved"] or counts["deleted"]:
            self.store.optimize()
        report.seconds = time.perf_counter() - started
        report.phases, self._phase_seconds = self._phase_seconds, {}
        return report

    def delete_file(self, path: Path, knowledge_base: str) -> None:
        """Drop a file's chunks, then the file."""
        self.store.delete_document(document_id(knowledge_base, path))
        path.unlink(missing_ok=True)
        self.store.optimize()

    def _start_file(
        self,
        path: Path,
        doc_id: str,
        kb: str,
        groups: list[str],
        previous: IndexedDocument | None,
        vanished: _Vanished,
        pool: ParsePool,
        force: bool = False,
    ) -> FileOutcome | _Parsing:
        """Everything short of embedding: skip, keep, rewrite or move, or start parsing."""
        shown = unicodedata.normalize("NFC", str(path))
        size_mb = path.stat().st_size / 1_048_576
        if size_mb > self.settings.max_file_mb:
            return FileOutcome(
                shown,
                "skipped",
                reason="too_large",
                message=f"파일이 너무 큽니다 ({size_mb:.1f} MB > {self.settings.max_file_mb:g} MB)",
            )
        with self._phase("hash"):
            digest = content_hash(path)
        version = self._version(digest)
        if previous is not None and previous.complete(version) and not force:
            if previous.groups == sorted(groups):
                return FileOutcome(shown, "unchanged")
            count = self._rewrite(doc_id, version, path, doc_id, kb, groups)
            return FileOutcome(shown, "updated", count, "permissions", "접근 그룹 변경")
        moved = vanished.take(digest, version) if previous is None else None
        if moved is not None:
            source, old = moved
            count = self._rewrite(source, version, path, doc_id, kb, groups)
            self.store.delete_document(source)
            return FileOutcome(shown, "moved", count, "moved", f"{old.uri}에서 이동")
        with self._phase("parse"):
            job = pool.submit(path)
        return _Parsing(doc_id, version, digest, previous is not None, job)

    def _finish_file(
        self, path: Path, parsing: _Parsing, kb: str, groups: list[str], pool: ParsePool
    ) -> FileOutcome:
        """Chunk, embed and write a parsed file; its old version goes only after the new one
        is stored."""
        shown = unicodedata.normalize("NFC", str(path))
        try:
            with self._phase("parse"):
                elements = pool.result(parsing.job)
        except ParseError as error:
            status: Status = "skipped" if error.reason in _SKIPPED else "failed"
            return FileOutcome(shown, status, reason=error.reason, message=str(error))
        with self._phase("chunk"):
            chunks = element_chunks(elements, self.embedder.count_tokens, self.settings)
        if not chunks:
            return FileOutcome(shown, "skipped", reason="empty", message="추출된 텍스트가 없습니다")
        doc_id, version = parsing.doc_id, parsing.version
        records = self._records(path, doc_id, version, parsing.digest, kb, groups, chunks)
        with self._phase("write"):
            self.store.upsert(records)
            self.store.delete_document(doc_id, except_version=version)
        status = "updated" if parsing.replaces else "added"
        return FileOutcome(shown, status, chunks=len(records))

    def _rewrite(
        self, source: str, version: str, path: Path, doc_id: str, kb: str, groups: list[str]
    ) -> int:
        """Write a document's stored points under a new path, id or permissions; no embedding.

        The BM25 vector is rebuilt because it holds the title (cheap); the dense vector is
        kept, so after a rename it still carries the old file name in its context.
        """
        records = []
        for old in self.store.document_records(source):
            payload = {
                **old.payload,
                **_location(path),
                "document_id": doc_id,
                "knowledge_base": kb,
                "acl_groups": groups,
            }
            searched = payload.get("search_text") or payload["text"]
            text = indexed_text(payload["title"], payload["section_path"], searched)
            sparse = bm25_document_vector(
                tokenize(text, self.retrieval_settings), self.retrieval_settings
            )
            new_id = point_id(doc_id, version, int(payload["chunk_index"]))
            records.append(ChunkRecord(new_id, old.dense, sparse, payload))
        self.store.upsert(records)
        return len(records)

    def _records(
        self,
        path: Path,
        doc_id: str,
        version: str,
        digest: str,
        kb: str,
        groups: list[str],
        chunks: list[Chunk],
    ) -> list[ChunkRecord]:
        location = _location(path)
        contexts = [
            indexed_text(location["title"], c.section_path, c.search_text or c.text) for c in chunks
        ]
        vectors = []
        batch = self.settings.embed_batch
        for start in range(0, len(contexts), batch):
            with self._phase("embed"):
                batch_vectors = self.embedder.embed_passages(contexts[start : start + batch])
            vectors.extend(batch_vectors.tolist())
        now = datetime.now(UTC).isoformat(timespec="seconds")
        records = []
        for index, (chunk, context, dense) in enumerate(
            zip(chunks, contexts, vectors, strict=True)
        ):
            payload = {
                **location,
                "document_id": doc_id,
                "chunk_index": index,
                "chunks_total": len(chunks),
                "text": chunk.text,
                **({"search_text": chunk.search_text} if chunk.search_text else {}),
                "section_path": chunk.section_path,
                "section": " > ".join(chunk.section_path),
                "pages": chunk.pages,
                "page": chunk.pages[0] if chunk.pages else None,
                "sheet": chunk.sheet,
                "kind": chunk.kind,
                **(
                    {"ocr": True, "ocr_confidence": chunk.ocr_confidence}
                    if chunk.ocr_confidence is not None
                    else {}
                ),
                "content_hash": digest,
                "version": version,
                "ingested_at": now,
                "knowledge_base": kb,
                "acl_groups": groups,
            }
            with self._phase("sparse"):
                terms = tokenize(context, self.retrieval_settings)
                sparse = bm25_document_vector(terms, self.retrieval_settings)
            records.append(ChunkRecord(point_id(doc_id, version, index), dense, sparse, payload))
        return records


def file_chunks(path: Path, count_tokens: TokenCounter, settings: IngestSettings) -> list[Chunk]:
    """Parse and chunk one file (raises ParseError); no embedding, no store."""
    elements = parse_file(path, settings.max_unpacked_mb, settings.ocr_options())
    return element_chunks(elements, count_tokens, settings)


def element_chunks(
    elements: list[Element], count_tokens: TokenCounter, settings: IngestSettings
) -> list[Chunk]:
    return chunk_elements(
        elements, count_tokens, settings.chunk_tokens, settings.chunk_overlap_sentences
    )


def indexed_text(title: str, section_path: Sequence[str], text: str) -> str:
    """What gets embedded and BM25-indexed: the chunk with its document title and section path."""
    heading = " > ".join([title, *section_path])
    return f"{heading}\n{text}"


def _location(path: Path) -> dict[str, str]:
    """The payload fields that say where a file is; a move rewrites exactly these."""
    return {
        "title": unicodedata.normalize("NFC", path.stem),
        "file_name": unicodedata.normalize("NFC", path.name),
        "source_uri": unicodedata.normalize("NFC", real_path(path)),
        "file_type": path.suffix.lower().lstrip("."),
        "modified_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(
            timespec="seconds"
        ),
    }
