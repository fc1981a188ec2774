"""Search latency and index memory at company scale (10k and 100k chunks) on the embedded engine.

Embedding 100k real chunks with the offline model would take about 14 hours on two cores
(~2 chunks/s), so the scale corpus is composed from real parts: KorQuAD paragraphs are split
into Korean sentences, each sentence is embedded once by the real model and tokenised once by
Kiwi, and each synthetic chunk joins 3–6 random sentences. Its text is their concatenation, its
BM25 vector is built from their terms exactly as ingestion builds it, and its dense vector is the
normalised mean of their embeddings (close to, not the same as, embedding the joined text).
Queries are real KorQuAD questions; their embedding is timed live, per question.

Reported per size: build time (upsert, HNSW optimize), disk size, the resident memory a fresh
process needs to open the store and answer queries, and p50/p95 latency of the product's search
call (Kiwi query tokens, hybrid query, the dense top-1 relevance probe) without and with
permission filters, with and without the query embedding.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.metrics import latency_summary
from eval.retrieval_eval import KORQUAD
from retrieval.embedding import CachedQueries, Embedder
from retrieval.korean import split_sentences
from retrieval.search import HybridSearcher, Mode
from retrieval.settings import RetrievalSettings
from retrieval.sparse import bm25_document_vector, tokenize
from retrieval.store.base import PUBLIC_GROUP, ChunkRecord, SearchFilter
from retrieval.store.edge import EdgeStore

GROUPS = [f"team-{n:02d}" for n in range(20)]
KNOWLEDGE_BASES = ["인사", "재무", "보안", "영업"]
FILE_TYPES = ["pdf", "docx", "hwpx", "xlsx", "pptx", "txt"]
QUERIES = 300
WARMUP = 20
SEED = 7
FILTERS: dict[str, SearchFilter | None] = {
    "none": None,
    # A caller in 2 of 20 groups reads ~19% of the chunks (their groups' and the public ones).
    "acl": SearchFilter(acl_groups=["team-03", "team-11"]),
    # The same caller inside one of four knowledge bases: ~5% of the chunks.
    "acl+kb": SearchFilter(acl_groups=["team-03", "team-11"], knowledge_bases=["보안"]),
}


def korquad_text() -> tuple[list[str], list[str]]:
    data = json.loads(KORQUAD.read_text(encoding="utf-8"))["data"]
    contexts = [p["context"] for a in data for p in a["paragraphs"]]
    questions = [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]
    sentences = [s for c in contexts for s in split_sentences(c) if len(s) > 10]
    return sentences, questions


def compose_records(
    size: int,
    sentences: Sequence[str],
    vectors: np.ndarray,
    terms: Sequence[list[str]],
    settings: RetrievalSettings,
    rng: random.Random,
) -> list[ChunkRecord]:
    records = []
    for n in range(size):
        picked = rng.sample(range(len(sentences)), rng.randint(3, 6))
        dense = vectors[picked].mean(axis=0)
        dense /= np.linalg.norm(dense)
        tokens = [t for i in picked for t in terms[i]]
        group = PUBLIC_GROUP if rng.random() < 0.1 else rng.choice(GROUPS)
        payload = {
            "document_id": f"doc-{n // 8:06d}",
            "chunk_index": n % 8,
            "text": " ".join(sentences[i] for i in picked),
            "title": f"문서 {n // 8}",
            "file_name": f"문서 {n // 8}.{FILE_TYPES[n // 8 % len(FILE_TYPES)]}",
            "section_path": [],
            "section": "",
            "page": n % 8 + 1,
            "knowledge_base": KNOWLEDGE_BASES[n // 8 % len(KNOWLEDGE_BASES)],
            "file_type": FILE_TYPES[n // 8 % len(FILE_TYPES)],
            "acl_groups": [group],
            "version": "v1",
            "modified_at": f"2024-{n % 12 + 1:02d}-15T09:00:00+09:00",
        }
        records.append(
            ChunkRecord(
                id=f"00000000-0000-4000-8000-{n:012d}",
                dense=dense.tolist(),
                sparse=bm25_document_vector(tokens, settings),
                payload=payload,
            )
        )
    return records


def build(path: Path, records: Sequence[ChunkRecord], dim: int) -> dict[str, float]:
    started = time.perf_counter()
    store = EdgeStore(path, "chunks", optimize_on_close=False)
    store.ensure_collection(dim)
    for start in range(0, len(records), 1000):
        store.upsert(records[start : start + 1000])
    upserted = time.perf_counter()
    store.optimize()
    optimized = time.perf_counter()
    store.close()
    return {
        "upsert_s": round(upserted - started, 1),
        "optimize_s": round(optimized - upserted, 1),
        "disk_mb": round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20),
    }


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory_probe(path: str, queries: str) -> None:
    """Run in a fresh process: resident memory added by opening the store and querying it."""
    vectors = np.load(queries)
    before = rss_mb()
    store = EdgeStore(Path(path), "chunks", optimize_on_close=False)
    for vector in vectors:
        store.query(dense=vector.tolist(), limit=6)
    print(json.dumps({"store_rss_mb": round(rss_mb() - before)}))
    store.close()


def measure_memory(path: Path, query_vectors: np.ndarray) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".npy") as tmp:
        np.save(tmp.name, query_vectors)
        code = (
            f"from eval.speed_bench import memory_probe; memory_probe({str(path)!r}, {tmp.name!r})"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def embed_questions(embedder: Embedder, questions: Sequence[str]) -> tuple[Embedder, list[float]]:
    """A query cache filled with every question, and the time each embedding took (ms).

    Timed once: embedding does not depend on the index size, and the later searches then
    measure the engine alone.
    """
    cached = CachedQueries(embedder, size=len(questions) + 1)
    embedding_ms = []
    for question in questions:
        started = time.perf_counter()
        cached.embed_query(question)
        embedding_ms.append((time.perf_counter() - started) * 1000)
    return cached, embedding_ms


def measure_latency(
    path: Path,
    cached: Embedder,
    embedding_ms: Sequence[float],
    questions: Sequence[str],
    settings: RetrievalSettings,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with EdgeStore(path, "chunks", optimize_on_close=False) as store:
        searcher = HybridSearcher(store, cached, settings)
        for question in questions[:WARMUP]:
            searcher.search(question)
        for label, search_filter in FILTERS.items():
            modes: tuple[Mode, ...] = (
                ("hybrid", "dense", "sparse") if search_filter is None else ("hybrid",)
            )
            for mode in modes:
                search_ms = []
                for question in questions:
                    started = time.perf_counter()
                    searcher.search(question, search_filter, mode=mode)
                    search_ms.append((time.perf_counter() - started) * 1000)
                total_ms = [s + e for s, e in zip(search_ms, embedding_ms, strict=True)]
                results[f"{mode}/filter={label}"] = {
                    "search_ms": latency_summary(search_ms),
                    "with_embedding_ms": latency_summary(total_ms),
                }
    return results


def run(embedder: Embedder, sizes: Sequence[int], out_dir: Path) -> dict[str, Any]:
    settings = RetrievalSettings()
    started = time.perf_counter()
    sentences, questions = korquad_text()
    vectors = embedder.embed_passages(sentences)
    terms = [tokenize(s, settings) for s in sentences]
    rng = random.Random(SEED)
    asked = rng.sample(questions, QUERIES)
    cached, embedding_ms = embed_questions(embedder, asked)
    report: dict[str, Any] = {
        "machine": machine(),
        "embedder": embedder.name,
        "base_sentences": len(sentences),
        "sentence_embedding_s": round(time.perf_counter() - started, 1),
        "queries": QUERIES,
        "query_embedding_ms": latency_summary(embedding_ms),
        "top_k": settings.top_k,
        "prefetch_limit": settings.prefetch_limit,
        "fusion": settings.fusion,
    }
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            records = compose_records(size, sentences, vectors, terms, settings, rng)
            entry: dict[str, Any] = build(Path(tmp), records, embedder.dim)
            del records
            entry.update(measure_memory(Path(tmp), vectors[:50]))
            entry.update(measure_latency(Path(tmp), cached, embedding_ms, asked, settings))
            report[f"{size}_chunks"] = entry
            print(json.dumps({size: entry}, ensure_ascii=False), flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "speed.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report


def machine() -> str:
    """The CPU the figures were taken on: they mean little without it."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} cores"
