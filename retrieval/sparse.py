"""Korean BM25 as Qdrant sparse vectors, so BM25 lives inside the engine (persisted, scalable).

Document side: the BM25 term-frequency saturation weight tf·(k1+1) / (tf + k1·(1−b+b·len/avgdl)).
Query side: 1 per distinct term. The engine's IDF modifier supplies the IDF factor, so the dot
product equals the Okapi BM25 score up to the IDF formula.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from retrieval.korean import char_bigrams, content_terms
from retrieval.settings import RetrievalSettings, get_settings
from retrieval.store.base import SparseVector


def term_id(term: str) -> int:
    """Stable 32-bit id: the same term maps to the same index in every process and release."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


BIGRAM_PREFIX = "#"
"""Marks bigram terms so the bigram '휴가' and the morpheme '휴가' are distinct sparse dimensions."""


def tokenize(text: str, settings: RetrievalSettings | None = None) -> list[str]:
    """The BM25 terms of a text: Kiwi content morphemes, plus character bigrams if configured."""
    settings = settings or get_settings()
    terms = content_terms(text, settings.user_dictionary)
    if settings.sparse_terms == "morphemes+bigrams":
        terms += [BIGRAM_PREFIX + bigram for bigram in char_bigrams(text)]
    return terms


def bm25_document_vector(
    tokens: Sequence[str], settings: RetrievalSettings | None = None
) -> SparseVector:
    settings = settings or get_settings()
    k1, b, avgdl = settings.bm25_k1, settings.bm25_b, settings.bm25_avg_doc_len
    length = len(tokens)
    weights: dict[int, float] = {}
    for term, tf in Counter(tokens).items():
        weight = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))
        index = term_id(term)
        weights[index] = weights.get(index, 0.0) + weight
    return _sorted_vector(weights)


def bm25_query_vector(tokens: Sequence[str]) -> SparseVector:
    return _sorted_vector({term_id(term): 1.0 for term in set(tokens)})


def _sorted_vector(weights: dict[int, float]) -> SparseVector:
    indices = sorted(weights)
    return SparseVector(indices=indices, values=[weights[i] for i in indices])
