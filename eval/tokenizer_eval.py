"""Which terms should the BM25 sparse vector hold? Kiwi morphemes, character bigrams, or both.

Sparse-only retrieval is scored in memory with rank-bm25's Okapi BM25 on the exact text the
indexer writes (title + section path + chunk), with the engine's IDF formula (Qdrant's IDF
modifier) — tests/test_sparse.py shows that this ranks exactly like our in-engine vectors. The
morpheme row therefore reproduces the engine's sparse figures; the others show what a
different tokenizer would give without re-indexing anything.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from eval.datasets import SAMPLES
from eval.retrieval_eval import (
    RetrievalCase,
    rank_of_gold,
    samples_cases,
    scores,
    write_korquad_corpus,
)
from ingest.elements import ParseError
from ingest.index import discover, file_chunks, indexed_text
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder
from retrieval.korean import char_bigrams
from retrieval.settings import RetrievalSettings
from retrieval.sparse import tokenize


def tokenizers(settings: RetrievalSettings) -> dict[str, Callable[[str], list[str]]]:
    """Bigrams alone, and the two settings of `sparse_terms` through the product's tokenizer."""
    both = settings.model_copy(update={"sparse_terms": "morphemes+bigrams"})
    only = settings.model_copy(update={"sparse_terms": "morphemes"})
    return {
        "morphemes": lambda text: tokenize(text, only),
        "bigrams": char_bigrams,
        "morphemes+bigrams": lambda text: tokenize(text, both),
    }


def corpus(docs: Path, embedder: Embedder) -> tuple[list[str], list[str]]:
    """(file name, indexed text) of every chunk, produced by the ingestion parser and chunker."""
    names, texts = [], []
    for path in discover(docs):
        try:
            chunks = file_chunks(path, embedder.count_tokens, IngestSettings())
        except ParseError:
            continue
        title = unicodedata.normalize("NFC", path.stem)
        for chunk in chunks:
            names.append(unicodedata.normalize("NFC", path.name))
            texts.append(indexed_text(title, chunk.section_path, chunk.search_text or chunk.text))
    return names, texts


def qdrant_idf(n_docs: int, df: int) -> float:
    """Qdrant's IDF modifier, so in-memory BM25 scores equal the engine's."""
    return math.log((n_docs - df + 0.5) / (df + 0.5) + 1)


def evaluate(
    names: Sequence[str],
    texts: Sequence[str],
    cases: Sequence[RetrievalCase],
    tokenize: Callable[[str], list[str]],
    settings: RetrievalSettings,
) -> dict[str, Any]:
    documents = [tokenize(t) for t in texts]
    bm25 = BM25Okapi(documents, k1=settings.bm25_k1, b=settings.bm25_b)
    frequencies: dict[str, int] = {}
    for terms in documents:
        for term in set(terms):
            frequencies[term] = frequencies.get(term, 0) + 1
    bm25.idf = {t: qdrant_idf(len(documents), df) for t, df in frequencies.items()}
    ranks = []
    for case in cases:
        query = sorted(set(tokenize(case.question)))  # the engine's query weights each term once
        ranked = np.argsort(-bm25.get_scores(query), kind="stable")[:30]
        ranks.append(rank_of_gold([names[i] for i in ranked], case.gold_file))
    return {
        **scores(ranks),
        "distinct_terms": len(frequencies),
        "mean_terms_per_chunk": round(sum(map(len, documents)) / max(len(documents), 1), 1),
    }


def run(embedder: Embedder, sets: Sequence[str], out_dir: Path) -> dict[str, Any]:
    settings = RetrievalSettings()
    report: dict[str, Any] = {}
    for name in sets:
        with tempfile.TemporaryDirectory() as tmp:
            if name == "samples":
                docs, cases = SAMPLES / "docs", samples_cases()
            else:
                docs = Path(tmp)
                cases = write_korquad_corpus(docs)
            names, texts = corpus(docs, embedder)
        results: dict[str, Any] = {"questions": len(cases), "chunks": len(texts)}
        for label, terms_of in tokenizers(settings).items():
            started = time.perf_counter()
            results[label] = evaluate(names, texts, cases, terms_of, settings)
            results[label]["seconds"] = round(time.perf_counter() - started, 1)
        report[name] = results
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "tokenizers.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report
