"""Incremental ingestion keeps the store exactly in step with a folder: add, change, delete.

Every test asserts the exact set of point ids afterwards (ids are deterministic), so a leftover
chunk of an old version or a duplicate fails here.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest.index import Indexer, discover, document_id, point_id
from ingest.parse_pool import MAX_CRASHES, ParsePool, ParserCrashed
from ingest.settings import IngestSettings, Source
from ingest.sync import (
    next_run,
    rebuild_sources,
    recent_reports,
    run_on_schedule,
    sync_sources,
    write_report,
)
from retrieval.embedding import Embedder
from retrieval.search import HybridSearcher
from retrieval.settings import RetrievalSettings
from retrieval.store.base import SearchFilter
from retrieval.store.edge import EdgeStore

KB = "sync"
LEAVE = "# 휴가 규정\n\n연차휴가는 1년에 15일이며 입사 1년 미만은 매월 1일씩 생긴다.\n"
TRAVEL = "# 출장 규정\n\n국내 출장 일비는 하루 3만 원이고 숙박비는 실비로 정산한다.\n"
SECURITY = "# 보안 규정\n\n비밀번호는 12자 이상으로 정하고 90일마다 바꾼다.\n"


@pytest.fixture
def store(data_dir: Path) -> Iterator[EdgeStore]:
    s = EdgeStore(data_dir / "store", "chunks")
    yield s
    s.close()


def make_indexer(store: EdgeStore, embedder: Embedder, sparse_terms: str = "morphemes") -> Indexer:
    retrieval = RetrievalSettings.model_validate({"sparse_terms": sparse_terms})
    return Indexer(store, embedder, IngestSettings(), retrieval)


def exact_ids(store: EdgeStore, folder: Path) -> set[str]:
    """The knowledge base's point ids, asserted to be exactly one version of each file present."""
    ids = {hit.id for hit in store.scroll(SearchFilter(knowledge_bases=[KB]), ["version"])}
    wanted = set()
    for path in discover(folder):
        doc = document_id(KB, path)
        points = list(store.scroll(SearchFilter(document_ids=[doc])))
        versions = {h.payload["version"] for h in points}
        assert len(versions) == 1, f"{path.name} has chunks of {len(versions)} versions"
        version = versions.pop()
        total = points[0].payload["chunks_total"]
        wanted |= {point_id(doc, version, n) for n in range(total)}
    assert ids == wanted
    return ids


def test_add_change_delete_keep_the_store_exact(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "문서함"
    folder.mkdir()
    (folder / "휴가.md").write_text(LEAVE, encoding="utf-8")
    (folder / "출장.md").write_text(TRAVEL, encoding="utf-8")
    indexer = make_indexer(store, embedder)

    first = indexer.ingest(folder, KB)
    assert first.counts()["added"] == 2
    before = exact_ids(store, folder)

    again = indexer.ingest(folder, KB)
    assert again.counts() == {**again.counts(), "unchanged": 2, "added": 0, "updated": 0}
    assert exact_ids(store, folder) == before

    (folder / "휴가.md").write_text(LEAVE.replace("15일", "20일"), encoding="utf-8")
    (folder / "출장.md").unlink()
    (folder / "보안.md").write_text(SECURITY, encoding="utf-8")
    changed = indexer.ingest(folder, KB)
    counts = changed.counts()
    assert (counts["updated"], counts["deleted"], counts["added"]) == (1, 1, 1)
    assert exact_ids(store, folder).isdisjoint(before)  # nothing of the old versions is left
    assert store.count(SearchFilter(document_ids=[document_id(KB, folder / "출장.md")])) == 0

    searcher = HybridSearcher(store, embedder)
    hits = searcher.search("국내 출장 일비", SearchFilter(knowledge_bases=[KB])).hits
    assert all(h.payload["file_name"] != "출장.md" for h in hits)
    text = " ".join(h.payload["text"] for h in hits)
    assert "20일" in text and "15일" not in text


def test_changing_the_sparse_terms_reindexes_every_file(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "휴가.md").write_text(LEAVE, encoding="utf-8")
    (folder / "보안.md").write_text(SECURITY, encoding="utf-8")
    make_indexer(store, embedder).ingest(folder, KB)
    old = exact_ids(store, folder)

    bigrams = make_indexer(store, embedder, sparse_terms="morphemes+bigrams")
    report = bigrams.ingest(folder, KB)
    assert report.counts()["updated"] == 2
    new = exact_ids(store, folder)
    assert new.isdisjoint(old)
    assert bigrams.ingest(folder, KB).counts()["unchanged"] == 2


class CountingEmbedder:
    """The real embedder, counting passage embeddings to prove what a run did not re-embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.embedded = inner, 0
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def test_a_move_rewrites_points_without_embedding(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "공유"
    (folder / "인사").mkdir(parents=True)
    (folder / "인사" / "휴가.md").write_text(LEAVE, encoding="utf-8")
    (folder / "보안.md").write_text(SECURITY, encoding="utf-8")
    counting = CountingEmbedder(embedder)
    indexer = Indexer(store, counting, IngestSettings(), RetrievalSettings())
    indexer.ingest(folder, KB)
    before = exact_ids(store, folder)

    (folder / "총무").mkdir()
    (folder / "인사" / "휴가.md").rename(folder / "총무" / "휴가 규정.md")
    counting.embedded = 0
    report = indexer.ingest(folder, KB)
    assert report.counts()["moved"] == 1 and report.counts()["deleted"] == 0, report.to_dict()
    assert counting.embedded == 0
    new_doc = document_id(KB, folder / "총무" / "휴가 규정.md")
    moved = store.scroll(SearchFilter(document_ids=[new_doc]))
    payloads = [h.payload for h in moved]
    assert payloads and all(p["file_name"] == "휴가 규정.md" for p in payloads)
    assert all(p["source_uri"].endswith("총무/휴가 규정.md") for p in payloads)
    old_doc = document_id(KB, folder / "인사" / "휴가.md")
    assert store.count(SearchFilter(document_ids=[old_doc])) == 0
    after = exact_ids(store, folder)
    assert len(after) == len(before) and after != before
    hits = HybridSearcher(store, embedder).search(
        "연차휴가 일수", SearchFilter(knowledge_bases=[KB])
    )
    assert hits.hits[0].payload["file_name"] == "휴가 규정.md"


def test_a_permission_change_reaches_every_chunk_without_embedding(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "재무"
    folder.mkdir()
    (folder / "출장.md").write_text(TRAVEL, encoding="utf-8")
    counting = CountingEmbedder(embedder)
    indexer = Indexer(store, counting, IngestSettings(), RetrievalSettings())
    indexer.ingest(folder, KB, acl_groups=["finance"])
    counting.embedded = 0
    report = indexer.ingest(folder, KB, acl_groups=["finance", "audit"])
    assert report.counts()["updated"] == 1 and counting.embedded == 0
    exact_ids(store, folder)
    assert store.count(SearchFilter(knowledge_bases=[KB], acl_groups=["audit"])) > 0
    report = indexer.ingest(folder, KB, acl_groups=["finance"])
    assert store.count(SearchFilter(knowledge_bases=[KB], acl_groups=["audit"])) == 0


def test_a_run_killed_midway_is_repaired_by_the_next(
    store: EdgeStore, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    long_text = "# 보안 규정\n\n" + "\n\n".join(
        f"## 제{n}조\n\n{SECURITY.splitlines()[2]} 예외는 보안팀 승인 {n}호로 한다." * 3
        for n in range(1, 25)
    )
    (folder / "보안.md").write_text(long_text, encoding="utf-8")
    (folder / "휴가.md").write_text(LEAVE, encoding="utf-8")
    indexer = make_indexer(store, embedder)
    indexer.ingest(folder, KB)
    complete = exact_ids(store, folder)
    security = document_id(KB, folder / "보안.md")
    assert store.count(SearchFilter(document_ids=[security])) > 2

    # Killed while writing: only the first points of the document's version reached the store.
    records = store.document_records(security)
    store.delete_document(security)
    store.upsert(records[:2])
    report = indexer.ingest(folder, KB)
    assert report.counts()["updated"] == 1, report.to_dict()
    assert exact_ids(store, folder) == complete

    # Killed between writing a changed file's new version and deleting the old one.
    (folder / "휴가.md").write_text(LEAVE.replace("15일", "16일"), encoding="utf-8")
    real_delete = store.delete_document

    def crash(document: str, except_version: str | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "delete_document", crash)
    with pytest.raises(KeyboardInterrupt):
        indexer.ingest(folder, KB)
    monkeypatch.setattr(store, "delete_document", real_delete)
    leave = document_id(KB, folder / "휴가.md")
    versions = {h.payload["version"] for h in store.scroll(SearchFilter(document_ids=[leave]))}
    assert len(versions) == 2  # both versions are searchable: nothing went missing
    indexer.ingest(folder, KB)
    exact_ids(store, folder)  # one version per file, complete
    text = " ".join(h.payload["text"] for h in store.scroll(SearchFilter(document_ids=[leave])))
    assert "16일" in text and "15일" not in text


def test_next_run_follows_cron_fields() -> None:
    monday_1pm = datetime(2026, 11, 23, 13, 0)  # a Monday
    assert next_run("0 2 * * *", monday_1pm) == datetime(2026, 11, 24, 2, 0)
    assert next_run("*/15 * * * *", monday_1pm) == datetime(2026, 11, 23, 13, 15)
    friday = datetime(2026, 11, 27, 10, 0)
    assert next_run("30 9 * * 1-5", friday) == datetime(2026, 11, 30, 9, 30)  # next Monday
    assert next_run("0 3 1 * *", friday) == datetime(2026, 12, 1, 3, 0)
    assert next_run("0 0 * * 0", friday) == datetime(2026, 11, 29, 0, 0)  # Sunday as 0 ...
    assert next_run("0 0 * * 7", friday) == datetime(2026, 11, 29, 0, 0)  # ... and as 7
    for bad in ("0 2 * *", "61 * * * *", "0 2 30 2 *", "x 2 * * *"):
        with pytest.raises(ValueError):
            next_run(bad, friday)


class InstantEvent(threading.Event):
    """Waiting returns at once: the test's clock, not the wall clock, moves time forward."""

    def wait(self, timeout: float | None = None) -> bool:
        return self.is_set()


def test_schedule_runs_the_job_when_due_and_stops() -> None:
    clock = iter(datetime(2026, 11, 24, 1, 58) + timedelta(seconds=20 * n) for n in range(10**4))
    calls: list[datetime] = []
    stop = InstantEvent()
    now = datetime(2026, 11, 24, 1, 58)

    def tick() -> datetime:
        nonlocal now
        now = next(clock)
        return now

    def job() -> None:
        calls.append(now)
        stop.set()

    run_on_schedule("0 2 * * *", job, stop, now=tick)
    assert len(calls) == 1 and calls[0] >= datetime(2026, 11, 24, 2, 0)


def test_sync_sources_reports_each_source_and_keeps_going(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    hr, finance = tmp_path / "인사", tmp_path / "재무"
    hr.mkdir()
    finance.mkdir()
    (hr / "휴가.md").write_text(LEAVE, encoding="utf-8")
    (finance / "출장.md").write_text(TRAVEL, encoding="utf-8")
    (finance / "깨진.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    sources = [
        Source(path=hr, knowledge_base="인사", acl_groups=["hr"]),
        Source(path=tmp_path / "없는 폴더", knowledge_base="인사"),
        Source(path=finance, knowledge_base="재무", acl_groups=["finance"]),
    ]
    indexer = make_indexer(store, embedder)
    report = sync_sources(indexer, sources)
    assert report["counts"]["added"] == 2 and report["counts"]["failed"] == 1, report
    assert "error" in report["sources"][1]
    failed = [f for f in report["sources"][2]["files"] if f["status"] == "failed"]
    assert failed[0]["reason"] == "corrupt" and failed[0]["path"].endswith("깨진.pdf")
    assert store.count(SearchFilter(knowledge_bases=["재무"], acl_groups=["hr"])) == 0
    assert store.count(SearchFilter(knowledge_bases=["재무"], acl_groups=["finance"])) > 0

    again = sync_sources(indexer, sources)
    assert again["counts"]["unchanged"] == 2
    assert [f["status"] for f in again["sources"][0]["files"]] == []  # unchanged are counted only
    reports = tmp_path / "reports"
    write_report(report, reports)
    write_report({**again, "started_at": "2999-01-01T00:00:00+09:00"}, reports)
    assert [r["counts"]["unchanged"] for r in recent_reports(reports)] == [2, 0]


def test_symlink_loops_and_unreadable_files_are_reported_not_fatal(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "공유"
    folder.mkdir()
    (folder / "휴가.md").write_text(LEAVE, encoding="utf-8")
    (folder / "고리.md").symlink_to(folder / "고리2.md")
    (folder / "고리2.md").symlink_to(folder / "고리.md")  # a file symlink loop
    (folder / "상위").symlink_to(folder, target_is_directory=True)  # a folder loop
    report = make_indexer(store, embedder).ingest(folder, KB)
    counts = report.counts()
    assert counts["added"] == 1 and counts["failed"] == 2, report.to_dict()
    assert {o.reason for o in report.outcomes if o.status == "failed"} == {"unreadable"}
    assert store.count(SearchFilter(knowledge_bases=[KB])) > 0


def test_the_indexers_unpack_limit_applies(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "첨부"
    folder.mkdir()
    (folder / "휴가.md").write_text(LEAVE, encoding="utf-8")
    with zipfile.ZipFile(folder / "폭탄.docx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/media/padding.bin", bytes(30 * 1_048_576))
    settings = IngestSettings(max_unpacked_mb=20)
    report = Indexer(store, embedder, settings, RetrievalSettings()).ingest(folder, KB)
    outcome = next(o for o in report.outcomes if o.path.endswith("폭탄.docx"))
    assert (outcome.status, outcome.reason) == ("skipped", "too_large"), outcome
    assert report.counts()["added"] == 1


def test_parallel_parsing_writes_the_same_points_as_one_process(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    """Enough files to start the worker processes; a corrupt and an empty file among them."""
    folder = tmp_path / "부서"
    folder.mkdir()
    for n in range(16):
        text = (LEAVE, TRAVEL, SECURITY)[n % 3].replace("규정", f"규정 {n}호")
        (folder / f"{n:02d} 규정.md").write_text(text, encoding="utf-8")
    (folder / "깨진 문서.docx").write_bytes(b"PK\x03\x04" + bytes(200))
    (folder / "빈 파일.txt").write_bytes(b"")

    def indexed(target: EdgeStore, workers: int) -> tuple[list[tuple[str, str]], set[tuple]]:
        settings = IngestSettings(parse_workers=workers)
        report = Indexer(target, embedder, settings, RetrievalSettings()).ingest(folder, KB)
        points = {
            (hit.id, hit.payload["text"], tuple(hit.payload["section_path"]))
            for hit in target.scroll(SearchFilter(knowledge_bases=[KB]))
        }
        return [(o.path, o.status) for o in report.outcomes], points

    outcomes, points = indexed(store, workers=2)
    statuses = [status for _, status in outcomes]
    assert statuses.count("added") == 16 and statuses.count("failed") == 1, outcomes
    assert statuses.count("skipped") == 1
    alone = EdgeStore(tmp_path / "one-process", "chunks")
    try:
        assert indexed(alone, workers=1) == (outcomes, points)
    finally:
        alone.close()


def test_a_rebuild_switches_only_when_complete_and_keeps_uploads(
    store: EdgeStore, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "규정"
    folder.mkdir()
    (folder / "휴가.md").write_text(LEAVE, encoding="utf-8")
    (folder / "출장.md").write_text(TRAVEL, encoding="utf-8")
    uploaded = tmp_path / "uploads" / "보안.md"  # added through the API, in no source folder
    uploaded.parent.mkdir()
    uploaded.write_text(SECURITY, encoding="utf-8")
    indexer = make_indexer(store, embedder)
    indexer.ingest(folder, KB)
    indexer.ingest(uploaded, "업로드", ["security"])
    before = exact_ids(store, folder)
    sources = [Source(path=folder, knowledge_base=KB)]

    missing = Source(path=tmp_path / "없는 폴더", knowledge_base=KB)
    refused = rebuild_sources(indexer, [*sources, missing])
    assert refused["rebuild"] == {"switched": False}
    assert exact_ids(store, folder) == before  # the live index is untouched

    (folder / "휴가.md").write_text(LEAVE.replace("15일", "20일"), encoding="utf-8")
    report = rebuild_sources(indexer, sources)
    assert report["rebuild"] == {"switched": True}
    assert report["counts"]["added"] == 3, report
    exact_ids(store, folder)
    texts = " ".join(h.payload["text"] for h in store.scroll(SearchFilter(knowledge_bases=[KB])))
    assert "20일" in texts and "15일" not in texts
    upload = list(store.scroll(SearchFilter(knowledge_bases=["업로드"])))
    assert upload and all(h.payload["acl_groups"] == ["security"] for h in upload)


def _wait_until_handed_to_a_worker(future: Future[Any]) -> None:
    """A fixed sleep raced the parse: on an idle machine the worker could finish the file
    before the kill, and the test saw no crash. Once the executor has handed the call to its
    workers, killing them breaks the call whether the worker is still starting or parsing."""
    deadline = time.monotonic() + 60
    while not future.running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert future.running() and not future.done()


def test_a_killed_parser_worker_costs_one_file_and_the_pool_recovers(tmp_path: Path) -> None:
    """SIGKILL, as the OOM killer sends it; after MAX_CRASHES the pool parses in-process."""
    big = tmp_path / "큰 문서.md"
    big.write_text("\n\n".join(f"## 제{n}조\n\n{LEAVE}" for n in range(4000)), encoding="utf-8")
    small = tmp_path / "휴가.md"
    small.write_text(LEAVE, encoding="utf-8")
    with ParsePool(2, 500) as pool:
        for _ in range(MAX_CRASHES):
            assert pool.workers == 2
            in_flight = pool.submit(big)
            _wait_until_handed_to_a_worker(in_flight.future)
            for worker in multiprocessing.active_children():
                worker.kill()
            with pytest.raises(ParserCrashed, match=r"큰 문서\.md"):
                pool.result(in_flight)
            assert pool.result(pool.submit(small))[0].text == "휴가 규정"
        assert pool.workers == 1  # gave up on workers, still parsing
        assert pool.result(pool.submit(small))[0].text == "휴가 규정"
