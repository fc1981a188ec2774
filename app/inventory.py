"""What the index holds, per knowledge base and per document, read from the chunk payloads.

The store is the one source of truth: a document is the set of points sharing a
`document_id` (ingest/index.py), so listing reads only payload fields, never vectors or text.
Every read takes the caller's SearchFilter, so a document the caller may not read is simply
not there. When an interrupted run left two versions of a file, the newest one is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.store.base import ChunkStore, Hit, SearchFilter

if TYPE_CHECKING:
    from app.services import Services
    from ingest.index import FileOutcome

_LISTED = (
    "document_id",
    "knowledge_base",
    "file_name",
    "file_type",
    "source_uri",
    "acl_groups",
    "version",
    "ingested_at",
    "modified_at",
    "page",
    "pages",
)


@dataclass
class ChunkInfo:
    index: int
    section: str
    pages: list[int]
    sheet: str | None
    text: str


@dataclass
class DocumentInfo:
    id: str
    knowledge_base: str
    file_name: str
    file_type: str
    chunks: int
    pages: int | None
    """The last page any chunk is on (PDF, slides); null for formats without pages."""
    groups: list[str]
    status: str
    last_indexed: str
    modified_at: str | None
    source_uri: str
    uploaded: bool
    """Whether the file came through POST /v1/documents (it lies in data/uploads)."""
    version: str = field(default="", repr=False)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("version")
        return out


@dataclass
class _Versions:
    """One document's points, counted per version."""

    first: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    indexed: dict[str, str] = field(default_factory=dict)
    last_page: dict[str, int] = field(default_factory=dict)

    def add(self, payload: dict[str, Any]) -> None:
        version = str(payload.get("version", ""))
        self.counts[version] = self.counts.get(version, 0) + 1
        when = str(payload.get("ingested_at") or "")
        self.indexed[version] = max(self.indexed.get(version, ""), when)
        pages = [p for p in payload.get("pages") or [] if isinstance(p, int)]
        if pages:
            self.last_page[version] = max(self.last_page.get(version, 0), *pages)

    def newest(self) -> str:
        return max(self.counts, key=lambda v: (self.indexed[v], v))


def _is_within(uri: str, folder: Path) -> bool:
    try:
        return Path(uri).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def _summaries(hits: Iterable[Hit], uploads: Path) -> list[DocumentInfo]:
    found: dict[str, _Versions] = {}
    for hit in hits:
        p = hit.payload
        doc = found.setdefault(str(p["document_id"]), _Versions(p))
        doc.add(p)
    out = []
    for doc_id, doc in found.items():
        version, p = doc.newest(), doc.first
        out.append(
            DocumentInfo(
                id=doc_id,
                knowledge_base=str(p.get("knowledge_base", "")),
                file_name=str(p.get("file_name", "")),
                file_type=str(p.get("file_type", "")),
                chunks=doc.counts[version],
                pages=doc.last_page.get(version),
                groups=sorted(p.get("acl_groups") or []),
                status="indexed",
                last_indexed=doc.indexed[version],
                modified_at=p.get("modified_at"),
                source_uri=str(p.get("source_uri", "")),
                uploaded=_is_within(str(p.get("source_uri", "")), uploads),
                version=version,
            )
        )
    return sorted(out, key=lambda d: (d.knowledge_base, d.file_name, d.id))


def documents(store: ChunkStore, search_filter: SearchFilter, uploads: Path) -> list[DocumentInfo]:
    """Every document under the filter, by knowledge base and file name."""
    return _summaries(store.scroll(search_filter, list(_LISTED)), uploads)


def find_document(
    store: ChunkStore, search_filter: SearchFilter, document_id: str, uploads: Path
) -> DocumentInfo | None:
    """The document with this id if the filter lets it through; None otherwise (unknown and
    unreadable are the same answer)."""
    narrowed = SearchFilter(
        knowledge_bases=search_filter.knowledge_bases,
        acl_groups=search_filter.acl_groups,
        document_ids=[document_id],
    )
    found = _summaries(store.scroll(narrowed, list(_LISTED)), uploads)
    return found[0] if found else None


def document_chunks(store: ChunkStore, document: DocumentInfo) -> list[ChunkInfo]:
    """The reported version's chunks in document order, with their text."""
    fields = ["version", "chunk_index", "section", "pages", "sheet", "text"]
    hits = store.scroll(SearchFilter(document_ids=[document.id]), fields)
    chunks = [
        ChunkInfo(
            index=int(h.payload.get("chunk_index", 0)),
            section=str(h.payload.get("section") or ""),
            pages=[p for p in h.payload.get("pages") or [] if isinstance(p, int)],
            sheet=h.payload.get("sheet"),
            text=str(h.payload.get("text", "")),
        )
        for h in hits
        if str(h.payload.get("version", "")) == document.version
    ]
    return sorted(chunks, key=lambda c: c.index)


def knowledge_bases(
    store: ChunkStore, search_filter: SearchFilter, uploads: Path
) -> list[dict[str, Any]]:
    """{name, documents, chunks} per knowledge base holding a document under the filter."""
    totals: dict[str, dict[str, Any]] = {}
    for doc in documents(store, search_filter, uploads):
        entry = totals.setdefault(
            doc.knowledge_base,
            {"name": doc.knowledge_base, "documents": 0, "chunks": 0, "last_indexed": ""},
        )
        entry["documents"] += 1
        entry["chunks"] += doc.chunks
        entry["last_indexed"] = max(entry["last_indexed"], doc.last_indexed)
    return [totals[name] for name in sorted(totals)]


def remove_document(services: Services, document: DocumentInfo) -> None:
    """Drop the document's chunks, and its file when it was uploaded (a synced source file is
    not ours to delete: it comes back on the next sync unless removed at the source)."""
    with services.ingest_lock:
        if document.uploaded:
            services.indexer.delete_file(Path(document.source_uri), document.knowledge_base)
        else:
            services.store.delete_document(document.id)
            services.store.optimize()


def reindex_document(services: Services, document: DocumentInfo) -> FileOutcome:
    """Parse, chunk and embed the document again from its file (FileNotFoundError when it is
    gone), keeping its knowledge base and groups. It parses on the isolated upload worker;
    a failure keeps what was indexed."""
    source = Path(document.source_uri)
    if not source.is_file():
        raise FileNotFoundError(f"원본 파일이 없어 다시 색인할 수 없습니다: {document.file_name}")
    with services.ingest_lock:
        report = services.indexer.ingest(
            source, document.knowledge_base, document.groups, pool=services.upload_pool, force=True
        )
    return report.outcomes[0]
