"""A full rebuild's switch while questions arrive: on the embedded store (Qdrant Edge) the
shard is closed and re-opened under the collection's name, on another thread than the
queries. Every query must still answer, from the old index or the new one: before the store
waited for its operations, a query that met the closed shard failed ("Shard is not
initialized"; 1 search in 69,118 during `python -m eval reindex-load`)."""

from __future__ import annotations

import threading
from pathlib import Path

from test_store_contract import CORPUS, DIM

from retrieval.store.edge import EdgeStore


def test_queries_during_repeated_switches_never_fail(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path, "chunks", optimize_on_close=False)
    store.ensure_collection(DIM)
    store.upsert(CORPUS)
    errors: list[BaseException] = []
    answered: list[int] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                answered.append(len(store.query(dense=[1, 0, 0, 0], limit=3)))
                store.count()
            except Exception as error:
                errors.append(error)

    readers = [threading.Thread(target=ask) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(10):
            generation = store.new_generation(DIM)
            generation.upsert(CORPUS)
            store.switch_to(generation)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert answered and set(answered) == {3}
    assert store.count() == len(CORPUS)
    store.close()
