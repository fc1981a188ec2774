"""The server adapter lays collections out on a Qdrant cluster as configured: shards,
replication and write consistency at creation, the write ordering on every write.

qdrant-client's local mode accepts these arguments and ignores them (it has one node: the
collection it reports has `shard_number=None`), so what is asserted is what the adapter asks
of the real client: a subclass of qdrant-client's own `QdrantClient` that records the keyword
arguments and then runs the real call. A Qdrant cluster cannot run on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from qdrant_client import QdrantClient, models
from test_store_contract import CORPUS, DIM

from retrieval.settings import RetrievalSettings
from retrieval.store.factory import cluster_of
from retrieval.store.server import ServerStore

pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")


class RecordingClient(QdrantClient):
    """The real local-mode client, with every create/upsert/delete call's arguments kept."""

    calls: list[tuple[str, dict[str, Any]]]

    def create_collection(self, collection_name: str, **kwargs: Any) -> bool:  # type: ignore[override]
        self.calls.append(("create_collection", {"name": collection_name, **kwargs}))
        return super().create_collection(collection_name, **kwargs)

    def upsert(self, collection_name: str, **kwargs: Any) -> models.UpdateResult:  # type: ignore[override]
        self.calls.append(("upsert", kwargs))
        return super().upsert(collection_name, **kwargs)

    def delete(self, collection_name: str, **kwargs: Any) -> models.UpdateResult:  # type: ignore[override]
        self.calls.append(("delete", kwargs))
        return super().delete(collection_name, **kwargs)


def _store(tmp_path: Path, settings: RetrievalSettings) -> tuple[ServerStore, RecordingClient]:
    client = RecordingClient(path=str(tmp_path / "local"))
    client.calls = []
    return ServerStore(client, "chunks", cluster=cluster_of(settings)), client


def test_collections_are_created_with_the_configured_shards_and_replicas(tmp_path: Path) -> None:
    settings = RetrievalSettings(
        qdrant_shards=6,
        qdrant_replication_factor=2,
        qdrant_write_consistency_factor=2,
        qdrant_write_ordering="strong",
    )
    store, client = _store(tmp_path, settings)
    with store:
        store.ensure_collection(DIM)
        store.ensure_collection(DIM)  # exists: not created again
        store.upsert(CORPUS[:2])
        store.delete_document(str(CORPUS[0].payload["document_id"]))
        generation = store.new_generation(DIM)  # a full rebuild: same layout
        generation.upsert(CORPUS[:1])
        store.switch_to(generation)
        assert store.count() == 1

    creates = [kwargs for name, kwargs in client.calls if name == "create_collection"]
    assert [c["name"] for c in creates] == ["chunks", creates[1]["name"]]
    assert creates[1]["name"] != "chunks"
    for kwargs in creates:
        assert kwargs["shard_number"] == 6
        assert kwargs["replication_factor"] == 2
        assert kwargs["write_consistency_factor"] == 2
    writes = [kwargs for name, kwargs in client.calls if name in ("upsert", "delete")]
    assert len(writes) == 3
    assert all(w["ordering"] == models.WriteOrdering.STRONG and w["wait"] for w in writes)


def test_defaults_are_a_single_node(tmp_path: Path) -> None:
    store, client = _store(tmp_path, RetrievalSettings())
    with store:
        store.ensure_collection(DIM)
        store.upsert(CORPUS[:1])
    (_, create), (_, upsert) = client.calls
    assert (create["shard_number"], create["replication_factor"]) == (1, 1)
    assert upsert["ordering"] == models.WriteOrdering.WEAK


def test_settings_refuse_a_layout_that_cannot_exist() -> None:
    with pytest.raises(ValueError):
        RetrievalSettings(qdrant_shards=0)
    with pytest.raises(ValueError):
        RetrievalSettings(qdrant_write_ordering="eventual")  # type: ignore[arg-type]
