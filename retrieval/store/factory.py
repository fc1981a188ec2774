"""Pick the store engine from settings so nothing above the store names an engine."""

from __future__ import annotations

from retrieval.settings import RetrievalSettings
from retrieval.store.base import ChunkStore


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
    return ServerStore(client, settings.collection)
