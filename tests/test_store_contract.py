"""One contract suite for both store adapters: the app may swap engines only if both pass.

Vectors are tiny and hand-made (dim 4) so every expected ranking can be worked out by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from qdrant_client import QdrantClient

from retrieval.store.base import (
    PUBLIC_GROUP,
    RRF_K,
    ChunkRecord,
    ChunkStore,
    SearchFilter,
    SparseVector,
)
from retrieval.store.edge import EdgeStore
from retrieval.store.server import ServerStore

pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")

REPO_ROOT = Path(__file__).resolve().parents[1]
DIM = 4
COLLECTION = "chunks"
COMMON_TERM = 1  # in every chunk but "rare": IDF must make it nearly worthless
RARE_TERM = 99  # only in "rare"
NS = uuid.UUID("6f1c1d0e-8a59-4c1b-9d7e-2f7f4f3f9a10")


def pid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def chunk(
    name: str,
    *,
    doc: str,
    kb: str,
    acl: list[str],
    dense: list[float],
    sparse: dict[int, float],
    file_type: str = "pdf",
    version: str = "v1",
    index: int = 0,
    modified: str = "2024-05-01T09:30:00+09:00",
) -> ChunkRecord:
    payload: dict[str, Any] = {
        "document_id": doc,
        "knowledge_base": kb,
        "file_type": file_type,
        "acl_groups": acl,
        "version": version,
        "chunk_index": index,
        "ingested_at": "2024-05-01T09:30:00+09:00",
        "modified_at": modified,
        "source_uri": f"file:///공유/{doc}.{file_type}",
        "title": "취업규칙 개정안",
        "heading_path": ["제3장 근로시간", "제12조 (연차휴가)"],
        "text": f"{name}: 연차휴가는 1년간 80퍼센트 이상 출근한 근로자에게 15일을 준다.",
        "page": {"from": 3, "to": 4},
    }
    items = sorted(sparse.items())
    return ChunkRecord(
        id=pid(name),
        dense=dense,
        sparse=SparseVector(indices=[i for i, _ in items], values=[v for _, v in items]),
        payload=payload,
    )


CORPUS: list[ChunkRecord] = [
    chunk(
        "hr-1",
        doc="doc-hr",
        kb="인사",
        acl=["hr"],
        dense=[0.9, 0.1, 0, 0],
        sparse={COMMON_TERM: 1.0, 2: 1.0},
    ),
    chunk(
        "hr-2",
        doc="doc-hr",
        kb="인사",
        acl=["hr"],
        dense=[0.7, 0.3, 0, 0],
        sparse={COMMON_TERM: 1.0, 3: 1.0},
        index=1,
    ),
    # Exactly on the [1,0,0,0] query: the nearest point of all, yet unreadable for "hr".
    chunk(
        "fin-1",
        doc="doc-fin",
        kb="재무",
        acl=["finance"],
        dense=[1, 0, 0, 0],
        sparse={COMMON_TERM: 1.0, 4: 1.0},
        file_type="xlsx",
        modified="2025-02-01T00:00:00+09:00",
    ),
    chunk(
        "pub-1",
        doc="doc-pub",
        kb="공지",
        acl=[PUBLIC_GROUP],
        dense=[0, 1, 0, 0],
        sparse={COMMON_TERM: 1.0, 5: 1.0},
        file_type="docx",
    ),
    chunk(
        "rare",
        doc="doc-rare",
        kb="공지",
        acl=[PUBLIC_GROUP],
        dense=[0, 0, 1, 0],
        sparse={RARE_TERM: 0.5},
        file_type="hwp",
        modified="2021-06-30T12:00:00+00:00",
    ),
    chunk(
        "ver-1",
        doc="doc-ver",
        kb="인사",
        acl=["hr"],
        dense=[0, 0, 0, 1],
        sparse={COMMON_TERM: 1.0, 6: 1.0},
        version="v1",
    ),
    chunk(
        "ver-2",
        doc="doc-ver",
        kb="인사",
        acl=["hr"],
        dense=[0, 0, 0.1, 1],
        sparse={COMMON_TERM: 1.0, 6: 1.0},
        version="v2",
    ),
    chunk(
        "mixed",
        doc="doc-mixed",
        kb="인사",
        acl=["finance", "hr"],
        dense=[0, 0.5, 0.5, 0],
        sparse={COMMON_TERM: 1.0, 7: 1.0},
    ),
]
BY_NAME = {r.payload["text"].split(":")[0]: r for r in CORPUS}
NAME_OF = {pid(name): name for name in BY_NAME}


def names(hits: Any) -> list[str]:
    return [NAME_OF.get(h.id, h.id) for h in hits]


def readable_by(groups: list[str]) -> set[str]:
    allowed = {*groups, PUBLIC_GROUP}
    return {n for n, r in BY_NAME.items() if allowed & set(r.payload["acl_groups"])}


@dataclass(frozen=True)
class Opener:
    """Opens a fresh adapter instance on the same location each call, to test reopening."""

    kind: str
    root: Path

    def __call__(self) -> ChunkStore:
        if self.kind == "edge":
            return EdgeStore(self.root / "edge", COLLECTION)
        return ServerStore(QdrantClient(path=str(self.root / "local")), COLLECTION)


@pytest.fixture(params=["edge", "server"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    return Opener(kind=request.param, root=tmp_path)


@pytest.fixture
def store(opener: Opener) -> Iterator[ChunkStore]:
    s = opener()
    s.ensure_collection(DIM)
    s.upsert(CORPUS)
    yield s
    s.close()


def test_upsert_then_count_and_reupsert_is_idempotent(store: ChunkStore) -> None:
    assert store.count() == len(CORPUS)
    store.upsert(CORPUS[:3])
    assert store.count() == len(CORPUS)
    store.upsert([])
    assert store.count() == len(CORPUS)


def test_ensure_collection_is_idempotent_and_rejects_other_dim(store: ChunkStore) -> None:
    store.ensure_collection(DIM)
    assert store.count() == len(CORPUS)
    with pytest.raises(Exception, match=r"(?i)size|dim"):
        store.ensure_collection(DIM + 4)


def test_dense_only_returns_nearest_first(store: ChunkStore) -> None:
    hits = store.query(dense=[0, 0, 1, 0], limit=3)
    assert names(hits)[0] == "rare"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)  # cosine of identical direction
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(hits) == 3


def test_sparse_only_idf_ranks_rare_term_first(store: ChunkStore) -> None:
    # Raw dot products would rank every common-term chunk (1.0) above "rare" (0.5); only the
    # IDF modifier turns that around.
    hits = store.query(sparse=SparseVector([COMMON_TERM, RARE_TERM], [1.0, 1.0]), limit=10)
    assert names(hits)[0] == "rare"
    assert hits[0].score > 2 * hits[1].score
    assert len(hits) == len(CORPUS)  # every chunk shares a term with the query


def test_sparse_only_skips_chunks_without_query_terms(store: ChunkStore) -> None:
    hits = store.query(sparse=SparseVector([5], [1.0]), limit=10)
    assert names(hits) == ["pub-1"]


def test_query_without_any_vector_returns_nothing(store: ChunkStore) -> None:
    assert store.query(limit=5) == []
    assert store.query(sparse=SparseVector([], []), limit=5) == []


def test_hybrid_rrf_returns_union_with_plausible_order(store: ChunkStore) -> None:
    # Dense prefetch (3): pub-1, mixed, hr-2.  Sparse prefetch: pub-1 (idf of term 5 is high),
    # rare; nothing else has those terms.  RRF = sum of 1/(k + rank): pub-1 2/k, mixed and
    # rare 1/(k+1) each, hr-2 1/(k+2), so a sparse-only hit outranks a weak dense-only one.
    hits = store.query(
        dense=[0, 1, 0, 0],
        sparse=SparseVector([5, RARE_TERM], [1.0, 1.0]),
        limit=4,
        prefetch_limit=3,
        fusion="rrf",
    )
    assert names(hits)[0] == "pub-1"
    assert set(names(hits)[1:3]) == {"mixed", "rare"}
    assert names(hits)[3] == "hr-2"
    expected = [2 / RRF_K, 1 / (RRF_K + 1), 1 / (RRF_K + 1), 1 / (RRF_K + 2)]
    assert [h.score for h in hits] == pytest.approx(expected, rel=1e-3)


def test_weighted_rrf_scales_each_list(store: ChunkStore) -> None:
    # As above with the sparse list weighted 3. Qdrant's weighted RRF divides the 1-based rank
    # by the weight, 1/(k - 1 + r/w): pub-1 1/k + 1/(k - 2/3), rare 1/(k - 1/3), mixed 1/(k+1),
    # hr-2 1/(k+2): the sparse-only hit now beats the dense-only one.
    hits = store.query(
        dense=[0, 1, 0, 0],
        sparse=SparseVector([5, RARE_TERM], [1.0, 1.0]),
        limit=4,
        prefetch_limit=3,
        fusion="rrf",
        rrf_weights=(1.0, 3.0),
    )
    assert names(hits) == ["pub-1", "rare", "mixed", "hr-2"]
    k = RRF_K
    expected = [1 / k + 1 / (k - 2 / 3), 1 / (k - 1 / 3), 1 / (k + 1), 1 / (k + 2)]
    assert [h.score for h in hits] == pytest.approx(expected, rel=1e-3)


def test_hybrid_dbsf_returns_union_with_plausible_order(store: ChunkStore) -> None:
    # Candidates: dense top 4 (pub-1, mixed, hr-2, hr-1), sparse (pub-1, rare).  DBSF
    # normalises each list by its own mean +- 3 sigma and sums, so pub-1 (top of both) wins
    # and the sparse-only "rare" beats the weakest dense-only candidate hr-1.
    hits = store.query(
        dense=[0, 1, 0, 0],
        sparse=SparseVector([5, RARE_TERM], [1.0, 1.0]),
        limit=4,
        prefetch_limit=4,
        fusion="dbsf",
    )
    assert names(hits) == ["pub-1", "mixed", "hr-2", "rare"]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score > hits[1].score


def test_hybrid_limit_truncates(store: ChunkStore) -> None:
    hits = store.query(dense=[1, 0, 0, 0], sparse=SparseVector([COMMON_TERM], [1.0]), limit=2)
    assert len(hits) == 2


def test_filter_by_knowledge_base_file_type_and_document(store: ChunkStore) -> None:
    notices = SearchFilter(knowledge_bases=["공지"])
    hits = store.query(dense=[1, 0, 0, 0], search_filter=notices, limit=10)
    assert set(names(hits)) == {"pub-1", "rare"}
    assert store.count(notices) == 2
    assert store.count(SearchFilter(knowledge_bases=["공지", "재무"])) == 3
    assert store.count(SearchFilter(file_types=["hwp", "xlsx"])) == 2
    assert store.count(SearchFilter(document_ids=["doc-hr", "doc-ver"])) == 4
    assert store.count(SearchFilter(knowledge_bases=["인사"], file_types=["docx"])) == 0
    assert store.count(SearchFilter(knowledge_bases=[])) == 0  # restricted to none


def test_filter_by_modification_date(store: ChunkStore) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    kst = timezone(timedelta(hours=9))
    since_2025 = SearchFilter(modified_from=datetime(2025, 1, 1, tzinfo=kst))
    assert store.count(since_2025) == 1
    hits = store.query(dense=[0, 0, 1, 0], search_filter=since_2025, limit=10)
    assert names(hits) == ["fin-1"]
    before_2022 = SearchFilter(modified_to=datetime(2022, 1, 1))  # naive = UTC
    assert names(store.scroll(before_2022)) == ["rare"]
    # The upper bound is exclusive and compares instants, not wall-clock strings.
    exact = datetime(2024, 5, 1, 0, 30, tzinfo=UTC)  # = 2024-05-01 09:30 KST
    assert store.count(SearchFilter(modified_to=exact)) == 1
    assert store.count(SearchFilter(modified_from=exact, modified_to=exact)) == 0
    assert store.count(SearchFilter(modified_from=exact)) == len(CORPUS) - 1
    assert store.count(SearchFilter(knowledge_bases=["공지"], modified_from=exact)) == 1


def test_acl_by_query(store: ChunkStore) -> None:
    hr = SearchFilter(acl_groups=["hr"])
    # fin-1 is the exact nearest neighbour, so it tops the unrestricted query ...
    assert names(store.query(dense=[1, 0, 0, 0], limit=1)) == ["fin-1"]
    # ... and must vanish for an "hr" caller, in every query mode.
    dense_hits = store.query(dense=[1, 0, 0, 0], search_filter=hr, limit=20)
    assert names(dense_hits)[0] == "hr-1"
    assert set(names(dense_hits)) == readable_by(["hr"])
    sparse_hits = store.query(sparse=SparseVector([4], [1.0]), search_filter=hr, limit=20)
    assert sparse_hits == []  # term 4 exists only in fin-1
    for fusion in ("rrf", "dbsf"):
        hybrid = store.query(
            dense=[1, 0, 0, 0],
            sparse=SparseVector([4, 2], [1.0, 1.0]),
            search_filter=hr,
            limit=20,
            fusion=fusion,
        )
        assert "fin-1" not in names(hybrid)
        assert {"hr-1", "pub-1", "rare", "mixed"} <= set(names(hybrid))
    for hit in dense_hits:
        assert {"hr", PUBLIC_GROUP} & set(hit.payload["acl_groups"])


def test_acl_filter_applies_inside_prefetch(store: ChunkStore) -> None:
    # With one candidate per prefetch, both prefetches would pick fin-1 (nearest vector, only
    # holder of term 4) and a post-fusion filter would drop it, leaving nothing; filtering
    # while candidates are gathered yields hr-1. (Both engines also push a top-level filter
    # down into prefetches; the adapters set it on each prefetch anyway, explicitly.)
    hits = store.query(
        dense=[1, 0, 0, 0],
        sparse=SparseVector([4], [1.0]),
        limit=1,
        prefetch_limit=1,
        search_filter=SearchFilter(acl_groups=["hr"]),
    )
    assert names(hits) == ["hr-1"]


def test_acl_by_count_and_scroll(store: ChunkStore) -> None:
    hr = SearchFilter(acl_groups=["hr"])
    expected = readable_by(["hr"])
    assert "fin-1" not in expected and {"pub-1", "rare", "mixed", "hr-1"} <= expected
    assert store.count(hr) == len(expected)
    assert {NAME_OF[h.id] for h in store.scroll(hr)} == expected
    public_only = SearchFilter(acl_groups=[])
    assert {NAME_OF[h.id] for h in store.scroll(public_only)} == {"pub-1", "rare"}
    assert store.count(public_only) == 2
    finance = SearchFilter(acl_groups=["finance"])
    assert {NAME_OF[h.id] for h in store.scroll(finance)} == {"fin-1", "mixed", "pub-1", "rare"}
    assert store.count(SearchFilter(acl_groups=None)) == len(CORPUS)


def test_acl_combines_with_knowledge_base(store: ChunkStore) -> None:
    f = SearchFilter(knowledge_bases=["재무", "공지"], acl_groups=["hr"])
    assert {NAME_OF[h.id] for h in store.scroll(f)} == {"pub-1", "rare"}


def test_delete_document_removes_exactly_its_chunks(store: ChunkStore) -> None:
    store.delete_document("doc-hr")
    assert store.count() == len(CORPUS) - 2
    assert store.count(SearchFilter(document_ids=["doc-hr"])) == 0
    assert store.retrieve([pid("hr-1"), pid("hr-2"), pid("fin-1")])[0].id == pid("fin-1")
    assert "hr-1" not in names(store.query(dense=[0.9, 0.1, 0, 0], limit=10))
    store.delete_document("no-such-document")
    assert store.count() == len(CORPUS) - 2


def test_delete_document_except_version_keeps_that_version(store: ChunkStore) -> None:
    store.delete_document("doc-ver", except_version="v2")
    remaining = list(store.scroll(SearchFilter(document_ids=["doc-ver"])))
    assert names(remaining) == ["ver-2"]
    assert store.count() == len(CORPUS) - 1
    # Keeping the only version present is a no-op.
    store.delete_document("doc-ver", except_version="v2")
    assert store.count() == len(CORPUS) - 1


def test_reopen_preserves_points(opener: Opener) -> None:
    first = opener()
    first.ensure_collection(DIM)
    first.upsert(CORPUS)
    first.delete_document("doc-fin")
    first.close()
    first.close()  # closing twice is harmless

    second = opener()  # no ensure_collection: a read-only process just opens
    try:
        assert second.count() == len(CORPUS) - 1
        assert names(second.query(dense=[0, 0, 1, 0], limit=1)) == ["rare"]
        second.ensure_collection(DIM)
        assert second.count() == len(CORPUS) - 1
        second.upsert([CORPUS[2]])
    finally:
        second.close()


def test_a_rebuilt_generation_replaces_the_live_collection_at_once(opener: Opener) -> None:
    live = opener()
    live.ensure_collection(DIM)
    live.upsert(CORPUS[:2])
    abandoned = live.new_generation(DIM)  # a rebuild that died before switching
    abandoned.upsert(CORPUS)
    abandoned.close()
    shown = set(names(CORPUS[:2]))
    # The first switch replaces a plain collection, the second an alias / link.
    for batch in (CORPUS[3:5], CORPUS[5:7]):
        generation = live.new_generation(DIM)
        generation.upsert(batch)
        assert set(names(live.scroll())) == shown  # readers still see the live collection
        live.switch_to(generation)
        shown = set(names(batch))
        assert set(names(live.scroll())) == shown
    live.upsert([CORPUS[0]])  # the live name takes writes after a switch
    live.close()

    reopened = opener()
    try:
        assert set(names(reopened.scroll())) == set(names([*CORPUS[5:7], CORPUS[0]]))
        assert names(reopened.query(dense=[0.9, 0.1, 0, 0], limit=1)) == ["hr-1"]
    finally:
        reopened.close()
    if opener.kind == "edge":
        left = sorted(p.name for p in (opener.root / "edge").iterdir())
    else:
        client = QdrantClient(path=str(opener.root / "local"))
        left = sorted(c.name for c in client.get_collections().collections)
        client.close()
    assert len(left) == (2 if opener.kind == "edge" else 1), left  # the link and one shard


def test_data_survives_a_new_process(opener: Opener, tmp_path: Path) -> None:
    s = opener()
    s.ensure_collection(DIM)
    s.upsert(CORPUS)
    s.close()
    kind = opener.kind
    script = f"""
import json, sys
from pathlib import Path
from retrieval.store.base import SearchFilter
if {kind!r} == "edge":
    from retrieval.store.edge import EdgeStore
    store = EdgeStore(Path({str(tmp_path / "edge")!r}), {COLLECTION!r})
else:
    from qdrant_client import QdrantClient
    from retrieval.store.server import ServerStore
    store = ServerStore(QdrantClient(path={str(tmp_path / "local")!r}), {COLLECTION!r})
hits = store.query(dense=[0, 0, 1, 0], limit=1)
print(json.dumps({{"count": store.count(SearchFilter(acl_groups=["hr"])),
                  "top": hits[0].id, "text": hits[0].payload["text"]}}, ensure_ascii=False))
store.close()
"""
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["count"] == len(readable_by(["hr"]))
    assert result["top"] == pid("rare")
    assert result["text"] == BY_NAME["rare"].payload["text"]


def test_retrieve_by_ids_in_request_order(store: ChunkStore) -> None:
    wanted = [pid("rare"), pid("no-such-point"), pid("hr-1"), pid("rare")]
    hits = store.retrieve(wanted)
    assert [h.id for h in hits] == [pid("rare"), pid("hr-1")]
    assert all(isinstance(h.id, str) for h in hits)
    assert hits[1].payload == BY_NAME["hr-1"].payload
    assert store.retrieve([]) == []


def test_document_records_round_trip_with_vectors(store: ChunkStore) -> None:
    records = sorted(store.document_records("doc-hr"), key=lambda r: r.payload["chunk_index"])
    assert [r.id for r in records] == [pid("hr-1"), pid("hr-2")]
    original = BY_NAME["hr-1"]
    assert records[0].payload == original.payload
    assert records[0].sparse == original.sparse
    norm = sum(x * x for x in original.dense) ** 0.5  # cosine collections store unit vectors
    assert records[0].dense == pytest.approx([x / norm for x in original.dense], abs=1e-6)
    assert store.document_records("no-such-doc") == []
    # Written back under new ids, they are found exactly like the originals.
    moved = [
        ChunkRecord(pid(f"moved-{r.id}"), r.dense, r.sparse, {**r.payload, "document_id": "doc-mv"})
        for r in records
    ]
    store.upsert(moved)
    hits = store.query(dense=[0.9, 0.1, 0, 0], search_filter=SearchFilter(document_ids=["doc-mv"]))
    assert hits[0].id == moved[0].id and hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_scroll_with_fields_returns_only_those_fields(store: ChunkStore) -> None:
    hits = list(store.scroll(fields=["document_id", "chunk_index"]))
    assert len(hits) == len(CORPUS)
    assert {h.id for h in hits} == {r.id for r in CORPUS}
    for h in hits:
        assert set(h.payload) == {"document_id", "chunk_index"}
        assert h.score == 0.0
    full = next(iter(store.scroll(SearchFilter(document_ids=["doc-pub"]))))
    assert full.payload == BY_NAME["pub-1"].payload


def test_scroll_paginates_past_one_page(store: ChunkStore) -> None:
    extra = [
        chunk(
            f"bulk-{i}",
            doc=f"bulk-{i // 10}",
            kb="대량",
            acl=["hr"],
            dense=[1, i / 600, 0, 0],
            sparse={COMMON_TERM: 1.0},
            index=i,
        )
        for i in range(600)
    ]
    store.upsert(extra)
    assert store.count() == len(CORPUS) + 600
    ids = [h.id for h in store.scroll(fields=[])]
    assert len(ids) == len(set(ids)) == len(CORPUS) + 600
    bulk = list(store.scroll(SearchFilter(knowledge_bases=["대량"]), fields=["chunk_index"]))
    assert sorted(h.payload["chunk_index"] for h in bulk) == list(range(600))


def test_hangul_and_structured_payload_round_trips(store: ChunkStore) -> None:
    original = BY_NAME["mixed"].payload
    [got] = store.retrieve([pid("mixed")])
    assert got.payload == original
    assert got.payload["title"] == "취업규칙 개정안"
    assert got.payload["heading_path"] == ["제3장 근로시간", "제12조 (연차휴가)"]
    assert got.payload["ingested_at"] == "2024-05-01T09:30:00+09:00"
    assert isinstance(got.payload["chunk_index"], int)
    [top] = store.query(dense=[0, 0.5, 0.5, 0], limit=1)
    assert top.payload == original


def test_factory_picks_the_configured_engine(tmp_path: Path) -> None:
    from retrieval.settings import RetrievalSettings
    from retrieval.store.factory import open_store

    edge = open_store(RetrievalSettings(store="edge", data_dir=tmp_path))
    assert isinstance(edge, EdgeStore)
    edge.ensure_collection(DIM)
    edge.upsert(CORPUS[:1])
    edge.close()
    assert (tmp_path / "store" / "chunks").is_dir()
    with pytest.raises(ValueError, match="qdrant_url"):
        open_store(RetrievalSettings(store="server", data_dir=tmp_path))


def test_edge_store_held_by_another_owner_gets_a_clear_error(tmp_path: Path) -> None:
    from retrieval.store.edge import StoreInUse

    first = EdgeStore(tmp_path, COLLECTION)
    first.ensure_collection(DIM)
    second = EdgeStore(tmp_path, COLLECTION)
    with pytest.raises(StoreInUse, match="다른 프로세스가 사용 중"):
        second.ensure_collection(DIM)
    first.close()
    second.ensure_collection(DIM)  # free again once the owner closes
    second.close()
