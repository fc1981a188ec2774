"""Retrieval quality: recall@k, MRR@10 and nDCG@10 for dense, sparse and hybrid search.

Every set is indexed through the real ingestion path (parse → chunk → embed → store), so the
figures include chunking. Relevance is judged per document: a ranked list of chunks is reduced
to its distinct documents in order, and a question has exactly one gold document (the sample
question's source file, or the KorQuAD paragraph written out as its own text file).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services import Services
from eval.datasets import SAMPLES, SHARED_DATA, sample_questions
from eval.metrics import latency_summary, same_document
from retrieval.embedding import CachedQueries
from retrieval.search import HybridSearcher, Mode
from retrieval.store.base import SearchFilter

KORQUAD = SHARED_DATA / "korquad-dev" / "KorQuAD_v1.0_dev_devsplit.json"
CUTOFFS = (1, 5, 10)
# (label, search mode, retrieval settings): every configuration the report compares.
CONFIGS: tuple[tuple[str, Mode, dict[str, Any]], ...] = (
    ("dense", "dense", {}),
    ("sparse", "sparse", {}),
    ("hybrid-rrf", "hybrid", {"fusion": "rrf", "rrf_weights": (1.0, 1.0)}),
    ("hybrid-rrf-dense3", "hybrid", {"fusion": "rrf", "rrf_weights": (3.0, 1.0)}),
    ("hybrid-rrf-sparse3", "hybrid", {"fusion": "rrf", "rrf_weights": (1.0, 3.0)}),
    ("hybrid-dbsf", "hybrid", {"fusion": "dbsf"}),
)


@dataclass(frozen=True)
class RetrievalCase:
    question: str
    gold_file: str
    answer: str = ""


def samples_cases() -> list[RetrievalCase]:
    return [RetrievalCase(c.question, c.source) for c in sample_questions() if c.answerable]


def write_korquad_corpus(
    target: Path, path: Path = KORQUAD, hold_out_every: int = 0
) -> list[RetrievalCase]:
    """Each paragraph becomes '<article title> (<n>).txt'; its questions point at that file.

    With `hold_out_every` k, every k-th article (the 4th, the 4+k-th, ...) is not written: its
    questions ask about a document the index lacks, which makes them unanswerable."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    cases: list[RetrievalCase] = []
    for index, article in enumerate(data):
        title = article["title"].replace("/", "／")
        held_out = hold_out_every > 0 and index % hold_out_every == 3 % hold_out_every
        for number, paragraph in enumerate(article["paragraphs"], 1):
            name = f"{title} ({number}).txt"
            if not held_out:
                (target / name).write_text(paragraph["context"], encoding="utf-8")
            cases.extend(
                RetrievalCase(qa["question"], name, qa["answers"][0]["text"])
                for qa in paragraph["qas"]
            )
    return cases


def rank_of_gold(files: Sequence[str], gold: str) -> int | None:
    """1-based rank of the gold document among the distinct documents, or None."""
    for rank, name in enumerate(dict.fromkeys(files), 1):
        if same_document(name, gold):
            return rank
    return None


def scores(ranks: Sequence[int | None]) -> dict[str, float]:
    total = len(ranks) or 1
    found = [r for r in ranks if r is not None]
    out = {f"recall@{k}": round(sum(r <= k for r in found) / total, 4) for k in CUTOFFS}
    out["mrr@10"] = round(sum(1 / r for r in found if r <= 10) / total, 4)
    out["ndcg@10"] = round(sum(1 / math.log2(r + 1) for r in found if r <= 10) / total, 4)
    return out


def evaluate(services: Services, cases: Sequence[RetrievalCase], kb: str) -> dict[str, Any]:
    """Scores and search latency per configuration; the same store serves every configuration.

    Query embeddings are computed (and timed) once up front into a cache big enough for every
    question, so per-configuration latency is the engine query alone.
    """
    search_filter = SearchFilter(knowledge_bases=[kb])
    embedder = CachedQueries(services.embedder, size=len(cases) + 1)
    embedding: list[float] = []
    for case in cases:
        started = time.perf_counter()
        embedder.embed_query(case.question)
        embedding.append((time.perf_counter() - started) * 1000)
    results: dict[str, Any] = {"query_embedding_ms": latency_summary(embedding)}
    for label, mode, update in CONFIGS:
        settings = services.retrieval.model_copy(update=update)
        searcher = HybridSearcher(services.store, embedder, settings)
        ranks: list[int | None] = []
        latencies: list[float] = []
        for case in cases:
            started = time.perf_counter()
            hits = searcher.search(case.question, search_filter, limit=30, mode=mode).hits
            latencies.append((time.perf_counter() - started) * 1000)
            ranks.append(
                rank_of_gold([str(h.payload.get("file_name", "")) for h in hits], case.gold_file)
            )
        results[label] = {**scores(ranks), "latency_ms": latency_summary(latencies)}
    return results


def run(services: Services, sets: Sequence[str], out_dir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"embedder": services.embedder.name}
    for name in sets:
        if name == "samples":
            docs, cases = SAMPLES / "docs", samples_cases()
        elif name == "korquad":
            # Under the data directory, so a kept store (--store-dir) finds the same paths again.
            docs = services.retrieval.data_dir / "korquad-docs"
            docs.mkdir(exist_ok=True)
            cases = write_korquad_corpus(docs)
        else:
            raise ValueError(f"unknown set: {name}")
        kb = f"eval-{name}"
        # Each set in its own collection: BM25's IDF is collection-wide, so a set indexed
        # beside another would be measured with the other's statistics (tests/test_retrieval.py
        # records its floors on a store holding samples/ alone).
        own = services.sharing_models(services.retrieval.model_copy(update={"collection": kb}))
        try:
            started = time.perf_counter()
            ingest = own.indexer.ingest(docs, kb)
            report[name] = {
                "questions": len(cases),
                "documents": len(ingest.outcomes),
                "chunks": own.store.count(SearchFilter(knowledge_bases=[kb])),
                "index_seconds": round(time.perf_counter() - started, 1),
                "results": evaluate(own, cases, kb),
            }
        finally:
            own.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "retrieval.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report
