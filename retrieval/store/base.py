"""The store contract shared by the embedded (Qdrant Edge) and server (qdrant-client) adapters.

Everything above this module talks to `ChunkStore` only, so the engine can be swapped by
configuration and one contract test suite covers both adapters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

DENSE_VECTOR = "dense"
SPARSE_VECTOR = "bm25"
PUBLIC_GROUP = "*"
"""ACL group stored on chunks that every caller may read."""

Fusion = Literal["rrf", "dbsf"]
RRF_K = 60
"""RRF rank constant, the same in both engines so identical inputs give identical scores."""

# Payload fields that get a payload index (filters and sync scans run on them).
KEYWORD_INDEXES = ("document_id", "knowledge_base", "file_type", "acl_groups", "source_uri")
INTEGER_INDEXES = ("chunk_index",)
DATETIME_INDEXES = ("ingested_at",)


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class ChunkRecord:
    """One point: deterministic UUID id, both vectors, and the chunk payload."""

    id: str
    dense: list[float]
    sparse: SparseVector
    payload: dict[str, Any]


@dataclass(frozen=True)
class SearchFilter:
    """Conditions every returned chunk must meet; enforced inside the engine query.

    `acl_groups=None` means no permission restriction (admin/CLI use); a list means the
    caller may read only chunks whose `acl_groups` payload intersects it or contains
    PUBLIC_GROUP. An empty list therefore yields only public chunks.
    """

    knowledge_bases: Sequence[str] | None = None
    file_types: Sequence[str] | None = None
    document_ids: Sequence[str] | None = None
    acl_groups: Sequence[str] | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


class ChunkStore(Protocol):
    def ensure_collection(self, dense_dim: int) -> None:
        """Create the collection (dense cosine + sparse IDF vectors, payload indexes) if absent."""

    def upsert(self, records: Sequence[ChunkRecord]) -> None: ...

    def delete_document(self, document_id: str, except_version: str | None = None) -> None:
        """Delete a document's chunks; with `except_version`, keep the chunks of that version."""

    def query(
        self,
        *,
        dense: Sequence[float] | None = None,
        sparse: SparseVector | None = None,
        search_filter: SearchFilter | None = None,
        limit: int = 10,
        prefetch_limit: int = 50,
        fusion: Fusion = "rrf",
    ) -> list[Hit]:
        """Dense-only, sparse-only, or (both given) hybrid: both prefetched, fused in the engine."""

    def count(self, search_filter: SearchFilter | None = None) -> int: ...

    def scroll(
        self, search_filter: SearchFilter | None = None, fields: Sequence[str] | None = None
    ) -> Iterator[Hit]:
        """Every matching point (score 0), with the payload restricted to `fields` when given."""

    def retrieve(self, ids: Sequence[str]) -> list[Hit]: ...

    def optimize(self) -> bool:
        """Build the engine's indexes after bulk writes (Edge builds HNSW only when asked)."""

    def close(self) -> None: ...
