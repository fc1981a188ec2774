"""`ChunkStore` on a Qdrant server (or qdrant-client's local mode) through qdrant-client.

Semantics mirror edge.py exactly (same filter translation, same RRF constant) so that the
contract suite can hold both to one behaviour. Engine facts this adapter relies on:

* Writes use `wait=True`: the call returns once the server has applied the operation, the
  server-side analogue of Edge's explicit flush.
* The server optimizes (builds HNSW) in the background, so `optimize()` here is a no-op.
* qdrant-client's local mode (`QdrantClient(path=...)` / `":memory:"`) supports named
  dense + sparse vectors, the IDF modifier, prefetch + RRF/DBSF fusion and filters, but
  ignores payload indexes (it warns once); filters still work, by full scan.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from qdrant_client import QdrantClient, models

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
    Fusion,
    Hit,
    SearchFilter,
    SparseVector,
    generation_name,
    is_generation_of,
    rrf_weights_for_engine,
    stored_record,
)

SCROLL_BATCH = 256

_INDEX_SCHEMAS: dict[str, models.PayloadSchemaType] = {
    **{name: models.PayloadSchemaType.KEYWORD for name in KEYWORD_INDEXES},
    **{name: models.PayloadSchemaType.INTEGER for name in INTEGER_INDEXES},
    **{name: models.PayloadSchemaType.DATETIME for name in DATETIME_INDEXES},
}


@dataclass(frozen=True)
class Cluster:
    """How collections are laid out on a Qdrant cluster and how writes are acknowledged.

    Shards and replicas are fixed when a collection is created, so they apply to a new
    collection (a fresh install or the next `sync --rebuild`), never to the live one."""

    shards: int = 1
    replication_factor: int = 1
    write_consistency_factor: int = 1
    write_ordering: models.WriteOrdering = models.WriteOrdering.WEAK


def build_filter(search_filter: SearchFilter | None) -> models.Filter | None:
    """Translate the engine-neutral filter; must stay semantically identical to edge.py."""
    if search_filter is None:
        return None
    must: list[models.Condition] = []
    for key, values in (
        ("knowledge_base", search_filter.knowledge_bases),
        ("file_type", search_filter.file_types),
        ("document_id", search_filter.document_ids),
    ):
        if values is not None:
            # An empty list matches nothing, which is the safe reading of "restrict to none".
            must.append(models.FieldCondition(key=key, match=models.MatchAny(any=list(values))))
    if search_filter.acl_groups is not None:
        groups = [*search_filter.acl_groups, PUBLIC_GROUP]
        must.append(models.FieldCondition(key="acl_groups", match=models.MatchAny(any=groups)))
    bounds = search_filter.modified_range()
    if bounds is not None:
        must.append(
            models.FieldCondition(
                key="modified_at", range=models.DatetimeRange(gte=bounds[0], lt=bounds[1])
            )
        )
    return models.Filter(must=must) if must else None


def _to_hit(point_id: Any, score: float, payload: dict[str, Any] | None) -> Hit:
    return Hit(id=str(point_id), score=float(score), payload=dict(payload or {}))


class ServerStore:
    """Store for deployments with a Qdrant server; takes ownership of `client` (closes it).

    `collection` may name a collection or, after the first full rebuild, an alias: points are
    read and written through the name either way, and a rebuild switches the alias.
    """

    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        *,
        owns_client: bool = True,
        cluster: Cluster | None = None,
    ) -> None:
        self._client = client
        self._collection = collection
        self._cluster = cluster or Cluster()
        self._owns_client = owns_client
        self._closed = False

    def _live_collection(self) -> str | None:
        """The collection behind the name: the alias's target, the name itself, or None."""
        for alias in self._client.get_aliases().aliases:
            if alias.alias_name == self._collection:
                return alias.collection_name
        return self._collection if self._client.collection_exists(self._collection) else None

    def ensure_collection(self, dense_dim: int) -> None:
        live = self._live_collection()
        if live is None:
            live = self._collection
            self._client.create_collection(
                live,
                vectors_config={
                    DENSE_VECTOR: models.VectorParams(
                        size=dense_dim, distance=models.Distance.COSINE
                    )
                },
                sparse_vectors_config={
                    SPARSE_VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)
                },
                shard_number=self._cluster.shards,
                replication_factor=self._cluster.replication_factor,
                write_consistency_factor=self._cluster.write_consistency_factor,
            )
        info = self._client.get_collection(live)
        self._check_compatible(info.config.params, dense_dim)
        for name, field_type in _INDEX_SCHEMAS.items():
            # Re-creating an index rebuilds it server-side, so only add what is missing.
            current = info.payload_schema.get(name)
            if current is None or current.data_type != field_type:
                self._client.create_payload_index(
                    self._collection, field_name=name, field_schema=field_type, wait=True
                )

    def _check_compatible(self, params: models.CollectionParams, dense_dim: int) -> None:
        """Fail loudly, like Edge does, instead of writing vectors the collection cannot score."""
        vectors = params.vectors
        dense = vectors.get(DENSE_VECTOR) if isinstance(vectors, dict) else None
        if dense is None or dense.size != dense_dim or dense.distance != models.Distance.COSINE:
            raise ValueError(
                f"collection {self._collection!r} has no cosine {DENSE_VECTOR!r} vector of "
                f"size {dense_dim}: {vectors!r}"
            )
        sparse = (params.sparse_vectors or {}).get(SPARSE_VECTOR)
        if sparse is None or sparse.modifier != models.Modifier.IDF:
            raise ValueError(
                f"collection {self._collection!r} has no IDF sparse vector {SPARSE_VECTOR!r}"
            )

    def optimize(self) -> bool:
        """The server optimizes in the background; kept for parity with EdgeStore."""
        return False

    def new_generation(self, dense_dim: int) -> ServerStore:
        live = self._live_collection()
        for existing in self._client.get_collections().collections:
            if is_generation_of(existing.name, self._collection) and existing.name != live:
                self._client.delete_collection(existing.name)
        generation = ServerStore(
            self._client,
            generation_name(self._collection),
            owns_client=False,
            cluster=self._cluster,
        )
        generation.ensure_collection(dense_dim)
        return generation

    def switch_to(self, generation: ChunkStore) -> None:
        """One alias update moves every reader at once. A deployment that predates aliases has
        a collection under the alias's name, which must be deleted first: queries fail for
        that moment, once."""
        if not isinstance(generation, ServerStore):
            raise TypeError("switch_to needs a generation of this store")
        old = self._live_collection()
        operations: list[models.AliasOperations] = []
        if old == self._collection:
            self._client.delete_collection(old)
            old = None
        elif old is not None:
            operations.append(
                models.DeleteAliasOperation(
                    delete_alias=models.DeleteAlias(alias_name=self._collection)
                )
            )
        operations.append(
            models.CreateAliasOperation(
                create_alias=models.CreateAlias(
                    collection_name=generation._collection, alias_name=self._collection
                )
            )
        )
        self._client.update_collection_aliases(change_aliases_operations=operations)
        if old is not None:
            self._client.delete_collection(old)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._owns_client:
                self._client.close()

    def __enter__(self) -> ServerStore:
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
            models.PointStruct(
                id=record.id,
                vector={
                    DENSE_VECTOR: list(record.dense),
                    SPARSE_VECTOR: models.SparseVector(
                        indices=list(record.sparse.indices), values=list(record.sparse.values)
                    ),
                },
                payload=record.payload,
            )
            for record in records
        ]
        self._client.upsert(
            self._collection, points=points, wait=True, ordering=self._cluster.write_ordering
        )

    def delete_document(self, document_id: str, except_version: str | None = None) -> None:
        must_not: list[models.Condition] | None = (
            [models.FieldCondition(key="version", match=models.MatchValue(value=except_version))]
            if except_version is not None
            else None
        )
        doc_filter = models.Filter(
            must=[
                models.FieldCondition(key="document_id", match=models.MatchValue(value=document_id))
            ],
            must_not=must_not,
        )
        self._client.delete(
            self._collection,
            points_selector=models.FilterSelector(filter=doc_filter),
            wait=True,
            ordering=self._cluster.write_ordering,
        )

    # -- reads -------------------------------------------------------------------------------

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
        if sparse is not None and not sparse.indices:
            sparse = None  # a query with no known terms can only add noise to the fusion
        if dense is None and sparse is None:
            return []
        flt = build_filter(search_filter)
        sparse_vector = (
            models.SparseVector(indices=list(sparse.indices), values=list(sparse.values))
            if sparse is not None
            else None
        )
        if dense is not None and sparse_vector is not None:
            candidates = max(prefetch_limit, limit)
            fusion_query: models.Query = (
                models.FusionQuery(fusion=models.Fusion.DBSF)
                if fusion == "dbsf"
                else models.RrfQuery(
                    rrf=models.Rrf(k=RRF_K, weights=rrf_weights_for_engine(rrf_weights))
                )
            )
            # Filter in each prefetch and at the top level, as in edge.py: permissions are
            # applied while candidates are gathered, never after fusion.
            response = self._client.query_points(
                self._collection,
                prefetch=[
                    models.Prefetch(
                        query=list(dense), using=DENSE_VECTOR, filter=flt, limit=candidates
                    ),
                    models.Prefetch(
                        query=sparse_vector, using=SPARSE_VECTOR, filter=flt, limit=candidates
                    ),
                ],
                query=fusion_query,
                query_filter=flt,
                limit=limit,
                with_payload=True,
                with_vectors=False,
            )
        elif dense is not None:
            response = self._client.query_points(
                self._collection,
                query=list(dense),
                using=DENSE_VECTOR,
                query_filter=flt,
                limit=limit,
                with_payload=True,
                with_vectors=False,
            )
        else:
            response = self._client.query_points(
                self._collection,
                query=sparse_vector,
                using=SPARSE_VECTOR,
                query_filter=flt,
                limit=limit,
                with_payload=True,
                with_vectors=False,
            )
        return [_to_hit(p.id, p.score, p.payload) for p in response.points]

    def count(self, search_filter: SearchFilter | None = None) -> int:
        result = self._client.count(
            self._collection, count_filter=build_filter(search_filter), exact=True
        )
        return result.count

    def _points(
        self, flt: models.Filter | None, with_payload: bool | list[str], vectors: bool
    ) -> Iterator[models.Record]:
        """Every point matching `flt`, page by page."""
        offset: models.ExtendedPointId | None = None
        while True:
            records, offset = self._client.scroll(
                self._collection,
                scroll_filter=flt,
                limit=SCROLL_BATCH,
                offset=offset,
                with_payload=with_payload,
                with_vectors=vectors,
            )
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
        records = self._client.retrieve(
            self._collection, ids=list(ids), with_payload=True, with_vectors=False
        )
        by_id = {str(r.id): _to_hit(r.id, 0.0, r.payload) for r in records}
        # Input order, missing ids skipped: callers zip results with their own id lists.
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    def document_records(self, document_id: str) -> list[ChunkRecord]:
        flt = build_filter(SearchFilter(document_ids=[document_id]))
        return [
            stored_record(r.id, r.vector, r.payload)
            for r in self._points(flt, with_payload=True, vectors=True)
        ]
