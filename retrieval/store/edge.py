"""`ChunkStore` on Qdrant Edge: the Qdrant engine running in-process, no server to operate.

One Edge shard directory per collection under `path` (after a full rebuild, the collection's
name is a symbolic link to the live generation's directory). Facts about the engine this adapter
relies on (qdrant-edge-py 0.9):

* A shard directory is locked by its write-ahead log: only one `EdgeStore` (one process) may
  have a collection open at a time. The web app and the ingest CLI must not both open it.
* Edge has no background optimizer. New points land in a plain (brute-force) appendable
  segment, so they are searchable, and correct, right after `upsert`; HNSW graphs are built
  only when `EdgeShard.optimize()` is called. `optimize()` is a no-op costing microseconds
  when nothing is planned, so `close()` runs it after writes (bulk ingest ends fast to query
  for the next process) and `optimize()` is public for long-lived writers.
* Edge does not flush on a timer either: every write is followed by `flush()` so a crash
  loses nothing acknowledged, even though the WAL would also replay it.
* A closed shard fails every call ("Shard is not initialized"). Queries, writes and a rebuild's
  switch run on different threads of one process (the API serves while its sync runs), so
  operations share the open shard and closing, re-opening or switching it waits for them to
  finish (and they for it): measured by `python -m eval reindex-load`, 1 search in 69,118
  failed at the switch before this.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeOptimizersConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    Fusion,
    MatchAny,
    MatchValue,
    Modifier,
    PayloadSchemaType,
    Point,
    Prefetch,
    Query,
    QueryRequest,
    RangeDateTime,
    ScoredPoint,
    ScrollRequest,
    UpdateOperation,
)
from qdrant_edge import SparseVector as EdgeSparseVector

from retrieval.store.base import (
    DATETIME_INDEXES,
    DENSE_VECTOR,
    INTEGER_INDEXES,
    KEYWORD_INDEXES,
    PUBLIC_GROUP,
    RRF_K,
    SPARSE_VECTOR,
    ChunkRecord,
    ChunkStore,
    Hit,
    SearchFilter,
    SparseVector,
    generation_name,
    is_generation_of,
    rrf_weights_for_engine,
    stored_record,
)
from retrieval.store.base import Fusion as FusionName

if TYPE_CHECKING:
    from qdrant_edge import ConditionType  # alias that exists only in the stubs


SCROLL_BATCH = 256

_INDEX_SCHEMAS: dict[str, PayloadSchemaType] = {
    **{name: PayloadSchemaType.Keyword for name in KEYWORD_INDEXES},
    **{name: PayloadSchemaType.Integer for name in INTEGER_INDEXES},
    **{name: PayloadSchemaType.Datetime for name in DATETIME_INDEXES},
}


def build_filter(search_filter: SearchFilter | None) -> Filter | None:
    """Translate the engine-neutral filter; must stay semantically identical to server.py."""
    if search_filter is None:
        return None
    must: list[ConditionType] = []
    for key, values in (
        ("knowledge_base", search_filter.knowledge_bases),
        ("file_type", search_filter.file_types),
        ("document_id", search_filter.document_ids),
    ):
        if values is not None:
            # An empty list matches nothing, which is the safe reading of "restrict to none".
            must.append(FieldCondition(key, match=MatchAny(list(values))))
    if search_filter.acl_groups is not None:
        groups = [*search_filter.acl_groups, PUBLIC_GROUP]
        must.append(FieldCondition("acl_groups", match=MatchAny(groups)))
    bounds = search_filter.modified_range()
    if bounds is not None:
        low, high = (b.isoformat() if b is not None else None for b in bounds)
        must.append(FieldCondition("modified_at", range=RangeDateTime(gte=low, lt=high)))
    return Filter(must=must) if must else None


def _to_hit(point_id: Any, score: float, payload: dict[str, Any] | None) -> Hit:
    # Edge hands UUID ids back as uuid.UUID; the contract promises strings.
    return Hit(id=str(point_id), score=float(score), payload=dict(payload or {}))


class _Lifecycle:
    """Any number of operations on the open shard at once, or one open/close/switch alone."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._active = 0
        self._exclusive = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._exclusive)
            self._active += 1
        try:
            yield
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._exclusive)
            self._exclusive = True
            self._changed.wait_for(lambda: self._active == 0)
        try:
            yield
        finally:
            with self._changed:
                self._exclusive = False
                self._changed.notify_all()


class EdgeStore:
    """Embedded store for single-machine deployments; see the module docstring for engine rules."""

    def __init__(self, path: Path, collection: str, *, optimize_on_close: bool = True) -> None:
        self._dir = Path(path) / collection
        self._optimize_on_close = optimize_on_close
        self._shard: EdgeShard | None = None
        self._dirty = False  # written since the last optimize()
        self._lifecycle = _Lifecycle()
        self._opening = threading.Lock()  # two first readers must not both load the shard

    # -- lifecycle ---------------------------------------------------------------------------

    def _config(self, dense_dim: int) -> EdgeConfig:
        return EdgeConfig(
            vectors={DENSE_VECTOR: EdgeVectorParams(size=dense_dim, distance=Distance.Cosine)},
            sparse_vectors={SPARSE_VECTOR: EdgeSparseVectorParams(modifier=Modifier.Idf)},
            # Deferred points would be invisible until optimize(); upserts must be readable at once.
            optimizers=EdgeOptimizersConfig(prevent_unoptimized=False),
        )

    def _exists(self) -> bool:
        return (self._dir / "edge_config.json").is_file() or (self._dir / "segments").is_dir()

    def _require(self) -> EdgeShard:
        """Open lazily so a read-only process needs no dimension and never creates a shard."""
        with self._opening:
            if self._shard is None:
                if not self._exists():
                    raise RuntimeError(
                        f"no Edge shard at {self._dir}; call ensure_collection(dense_dim) first"
                    )
                self._shard = _load(self._dir)
            return self._shard

    @contextmanager
    def _open_shard(self) -> Iterator[EdgeShard]:
        """The shard, kept open until the operation is done (see the module docstring)."""
        with self._lifecycle.shared():
            yield self._require()

    def ensure_collection(self, dense_dim: int) -> None:
        with self._lifecycle.exclusive():
            self._ensure_collection(dense_dim)

    def _ensure_collection(self, dense_dim: int) -> None:
        config = self._config(dense_dim)
        if self._shard is not None:
            self._shard.close()
            self._shard = None
        if self._exists():
            # Loading with a config makes Edge reject a shard built with another dimension or
            # without the IDF modifier instead of silently mixing incompatible vectors.
            self._shard = _load(self._dir, config)
        else:
            self._dir.mkdir(parents=True, exist_ok=True)
            self._shard = EdgeShard.create(str(self._dir), config)
        existing = {
            name: info.data_type for name, info in self._shard.info().payload_schema.items()
        }
        for name, schema in _INDEX_SCHEMAS.items():
            # Re-creating an index rebuilds it over every point, so only add what is missing.
            if existing.get(name) != schema:
                self._shard.update(UpdateOperation.create_field_index(name, schema))
        self._shard.flush()

    def optimize(self) -> bool:
        """Build HNSW / merge / vacuum segments now; returns whether anything was rebuilt.

        Call after a bulk load in a long-lived process: until then queries are exact but
        brute force over the unindexed segment.
        """
        with self._open_shard() as shard:
            changed = shard.optimize()
            shard.flush()
        self._dirty = False
        return changed

    def new_generation(self, dense_dim: int) -> EdgeStore:
        live = self._dir.resolve()
        for stale in self._dir.parent.glob(f"{self._dir.name}-gen-*"):
            if is_generation_of(stale.name, self._dir.name) and stale.resolve() != live:
                shutil.rmtree(stale)
        generation = EdgeStore(self._dir.parent, generation_name(self._dir.name))
        generation.ensure_collection(dense_dim)
        return generation

    def switch_to(self, generation: ChunkStore) -> None:
        """The collection's name is a symbolic link to the live shard directory, re-pointed by
        one atomic rename. A store that predates rebuilds has a real directory under the name:
        it is moved aside first (no shard under the name for that moment, once)."""
        if not isinstance(generation, EdgeStore):
            raise TypeError("switch_to needs a generation of this store")
        generation.close()
        with self._lifecycle.exclusive():  # queries wait here for the new shard, none fails
            self._close()
            self._swap_link(generation)

    def _swap_link(self, generation: EdgeStore) -> None:
        old: Path | None = self._dir.resolve() if self._dir.is_symlink() else None
        if self._dir.is_dir() and not self._dir.is_symlink():
            old = self._dir.with_name(f"{self._dir.name}-before-rebuild")
            self._dir.rename(old)
        link = self._dir.with_name(f".{self._dir.name}.switching")
        link.unlink(missing_ok=True)
        link.symlink_to(generation._dir.name, target_is_directory=True)
        os.replace(link, self._dir)
        if old is not None and old.exists():
            shutil.rmtree(old)

    def close(self) -> None:
        with self._lifecycle.exclusive():
            self._close()

    def _close(self) -> None:
        if self._shard is None:
            return
        try:
            if self._dirty and self._optimize_on_close:
                self._shard.optimize()
            self._shard.flush()
        finally:
            self._shard.close()
            self._shard = None
            self._dirty = False

    def __enter__(self) -> EdgeStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------------------

    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        if not records:
            return
        points = [
            Point(
                record.id,
                {
                    DENSE_VECTOR: list(record.dense),
                    SPARSE_VECTOR: EdgeSparseVector(
                        list(record.sparse.indices), list(record.sparse.values)
                    ),
                },
                record.payload,
            )
            for record in records
        ]
        with self._open_shard() as shard:
            shard.update(UpdateOperation.upsert_points(points))
            shard.flush()
        self._dirty = True

    def delete_document(self, document_id: str, except_version: str | None = None) -> None:
        must_not: list[ConditionType] | None = (
            [FieldCondition("version", match=MatchValue(except_version))]
            if except_version is not None
            else None
        )
        doc_filter = Filter(
            must=[FieldCondition("document_id", match=MatchValue(document_id))],
            must_not=must_not,
        )
        with self._open_shard() as shard:
            shard.update(UpdateOperation.delete_points_by_filter(doc_filter))
            shard.flush()
        self._dirty = True

    # -- reads -------------------------------------------------------------------------------

    def query(
        self,
        *,
        dense: Sequence[float] | None = None,
        sparse: SparseVector | None = None,
        search_filter: SearchFilter | None = None,
        limit: int = 10,
        prefetch_limit: int = 50,
        fusion: FusionName = "rrf",
        rrf_weights: tuple[float, float] = (1.0, 1.0),
    ) -> list[Hit]:
        if sparse is not None and not sparse.indices:
            sparse = None  # a query with no known terms can only add noise to the fusion
        if dense is None and sparse is None:
            return []
        flt = build_filter(search_filter)
        dense_query = Query.Nearest(list(dense), using=DENSE_VECTOR) if dense is not None else None
        sparse_query = (
            Query.Nearest(
                EdgeSparseVector(list(sparse.indices), list(sparse.values)), using=SPARSE_VECTOR
            )
            if sparse is not None
            else None
        )
        if dense_query is not None and sparse_query is not None:
            candidates = max(prefetch_limit, limit)
            fusion_query = (
                Fusion.Dbsf()
                if fusion == "dbsf"
                else Fusion.Rrf(k=RRF_K, weights=rrf_weights_for_engine(rrf_weights))
            )
            # The filter goes into each prefetch as well as the top level: the candidate lists
            # must already be permission-filtered, or fused results could come up short.
            request = QueryRequest(
                limit=limit,
                prefetches=[
                    Prefetch(limit=candidates, query=dense_query, filter=flt),
                    Prefetch(limit=candidates, query=sparse_query, filter=flt),
                ],
                # The stubs' ScoringQueryType names `Fusion`, not its nested Rrf/Dbsf classes.
                query=fusion_query,  # type: ignore[arg-type]
                filter=flt,
                with_payload=True,
                with_vector=False,
            )
        else:
            single = dense_query if dense_query is not None else sparse_query
            request = QueryRequest(
                limit=limit, query=single, filter=flt, with_payload=True, with_vector=False
            )
        with self._open_shard() as shard:
            points: list[ScoredPoint] = shard.query(request)
        return [_to_hit(p.id, p.score, p.payload) for p in points]

    def count(self, search_filter: SearchFilter | None = None) -> int:
        with self._open_shard() as shard:
            return shard.count(CountRequest(exact=True, filter=build_filter(search_filter)))

    def _points(
        self, flt: Filter | None, with_payload: bool | list[str], vectors: bool
    ) -> Iterator[Any]:
        """Every point matching `flt`, page by page (the shard held for each page, not across
        the caller's work between pages)."""
        offset: Any = None
        while True:
            request = ScrollRequest(
                offset=offset,
                limit=SCROLL_BATCH,
                filter=flt,
                with_payload=with_payload,
                with_vector=vectors,
            )
            with self._open_shard() as shard:
                records, offset = shard.scroll(request)
            yield from records
            if offset is None:
                return

    def scroll(
        self, search_filter: SearchFilter | None = None, fields: Sequence[str] | None = None
    ) -> Iterator[Hit]:
        with_payload: bool | list[str] = list(fields) if fields is not None else True
        for record in self._points(build_filter(search_filter), with_payload, vectors=False):
            yield _to_hit(record.id, 0.0, record.payload)

    def retrieve(self, ids: Sequence[str]) -> list[Hit]:
        if not ids:
            return []
        with self._open_shard() as shard:
            records = shard.retrieve(list(ids), with_payload=True, with_vector=False)
        by_id = {str(r.id): _to_hit(r.id, 0.0, r.payload) for r in records}
        # Input order, missing ids skipped: callers zip results with their own id lists.
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    def document_records(self, document_id: str) -> list[ChunkRecord]:
        flt = build_filter(SearchFilter(document_ids=[document_id]))
        return [
            stored_record(r.id, r.vector, r.payload)
            for r in self._points(flt, with_payload=True, vectors=True)
        ]


class StoreInUse(RuntimeError):
    """Another process holds the embedded store (Qdrant Edge allows one writer per directory)."""


def _load(directory: Path, config: Any = None) -> Any:
    try:
        return EdgeShard.load(str(directory), config)
    except Exception as error:
        if "WouldBlock" in str(error):
            raise StoreInUse(
                f"저장소({directory})를 다른 프로세스가 사용 중입니다. 내장 모드에서는 한 프로세스만 "
                "저장소를 열 수 있습니다: API를 멈춘 뒤 다시 실행하거나 API의 업로드를 이용하세요."
            ) from error
        raise
