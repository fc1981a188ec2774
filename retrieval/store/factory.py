"""Pick the store engine from settings so nothing above the store names an engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.settings import RetrievalSettings
from retrieval.store.base import ChunkStore

if TYPE_CHECKING:
    from retrieval.store.server import Cluster


def open_store(settings: RetrievalSettings) -> ChunkStore:
    """Open (not create) the configured store; callers that write call `ensure_collection`.

    Engine modules are imported here, not at module level, so a server deployment does not
    need qdrant-edge-py installed and an embedded one never imports the HTTP client.
    """
    if settings.store == "edge":
        from retrieval.store.edge import EdgeStore

        return EdgeStore(settings.store_dir, settings.collection)
    if settings.qdrant_url is None:
        raise ValueError("store='server' needs qdrant_url (KDOCQA_QDRANT_URL)")
    from qdrant_client import QdrantClient

    from retrieval.store.server import ServerStore

    client = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
    return ServerStore(client, settings.collection, cluster=cluster_of(settings))


def cluster_of(settings: RetrievalSettings) -> Cluster:
    """The collection layout and write acknowledgement the settings ask of a Qdrant server."""
    from qdrant_client import models

    from retrieval.store.server import Cluster

    return Cluster(
        shards=settings.qdrant_shards,
        replication_factor=settings.qdrant_replication_factor,
        write_consistency_factor=settings.qdrant_write_consistency_factor,
        write_ordering=models.WriteOrdering(settings.qdrant_write_ordering),
    )
