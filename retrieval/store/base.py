"""The store contract shared by the embedded (Qdrant Edge) and server (qdrant-client) adapters.

Everything above this module talks to `ChunkStore` only, so the engine can be swapped by
configuration and one contract test suite covers both adapters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

DENSE_VECTOR = "dense"
SPARSE_VECTOR = "bm25"
PUBLIC_GROUP = "*"
"""ACL group stored on chunks that every caller may read."""

Fusion = Literal["rrf", "dbsf"]
RRF_K = 60
"""RRF rank constant, the same in both engines so identical inputs give identical scores."""


def rrf_weights_for_engine(weights: tuple[float, float]) -> list[float] | None:
    """Weights as both engines must receive them: scaled so the smallest is 1, None if equal.

    Qdrant's weighted RRF scores a hit at 1-based rank r of a list with weight w as
    1 / (k − 1 + r / w): a weight divides the rank. qdrant-client's local mode rescales weights
    so the smallest is 1 while Edge uses them as given; rescaling here makes both engines agree.
    """
    low = min(weights)
    if low <= 0:
        raise ValueError(f"RRF weights must be positive: {weights}")
    if weights[0] == weights[1]:
        return None
    return [w / low for w in weights]


# Payload fields that get a payload index (filters and sync scans run on them).
KEYWORD_INDEXES = ("document_id", "knowledge_base", "file_type", "acl_groups", "source_uri")
INTEGER_INDEXES = ("chunk_index",)
DATETIME_INDEXES = ("ingested_at", "modified_at")


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


def stored_record(point_id: Any, vectors: Any, payload: dict[str, Any] | None) -> ChunkRecord:
    """A point read back with its vectors (both engines return {name: vector}), as a record."""
    sparse = vectors[SPARSE_VECTOR]
    return ChunkRecord(
        id=str(point_id),
        dense=list(vectors[DENSE_VECTOR]),
        sparse=SparseVector(list(sparse.indices), [float(v) for v in sparse.values]),
        payload=dict(payload or {}),
    )


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
    modified_from: datetime | None = None
    """Inclusive lower bound on the source file's modification time (`modified_at`)."""
    modified_to: datetime | None = None
    """Exclusive upper bound on `modified_at`."""

    def modified_range(self) -> tuple[datetime | None, datetime | None] | None:
        """The date bounds, naive times read as UTC, or None when unbounded."""
        if self.modified_from is None and self.modified_to is None:
            return None
        return _aware(self.modified_from), _aware(self.modified_to)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def generation_name(collection: str) -> str:
    """A rebuild's collection name: the live name, "-gen-" and a UTC timestamp."""
    return f"{collection}-gen-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"


def is_generation_of(name: str, collection: str) -> bool:
    return re.fullmatch(re.escape(collection) + r"-gen-\d{8}T\d{12}", name) is not None


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
        rrf_weights: tuple[float, float] = (1.0, 1.0),
    ) -> list[Hit]:
        """Dense-only, sparse-only, or (both given) hybrid: both prefetched, fused in the engine.

        `rrf_weights` (dense, sparse) scale each list's reciprocal-rank term under RRF.
        """

    def count(self, search_filter: SearchFilter | None = None) -> int: ...

    def scroll(
        self, search_filter: SearchFilter | None = None, fields: Sequence[str] | None = None
    ) -> Iterator[Hit]:
        """Every matching point (score 0), with the payload restricted to `fields` when given."""

    def retrieve(self, ids: Sequence[str]) -> list[Hit]: ...

    def document_records(self, document_id: str) -> list[ChunkRecord]:
        """Every point of a document with its vectors, so a move or a permission change can
        rewrite payloads and ids without embedding anything again."""

    def optimize(self) -> bool:
        """Build the engine's indexes after bulk writes (Edge builds HNSW only when asked)."""

    def new_generation(self, dense_dim: int) -> ChunkStore:
        """An empty collection beside the live one, for a full rebuild: queries keep reading
        the live collection until `switch_to`. Leftovers of an interrupted rebuild are dropped."""

    def switch_to(self, generation: ChunkStore) -> None:
        """Make a rebuilt generation the live collection in one step, then drop the old one."""

    def close(self) -> None: ...
