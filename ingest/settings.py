"""Ingestion configuration: chunk sizes, limits, and the default knowledge base and access groups."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.store.base import PUBLIC_GROUP


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KDOCQA_", extra="ignore")

    chunk_tokens: int = Field(default=256, description="Chunk budget in embedding-model tokens.")
    chunk_overlap_sentences: int = 1
    max_file_mb: float = Field(default=50.0, description="Larger files are skipped and reported.")
    default_knowledge_base: str = "default"
    default_acl_groups: list[str] = Field(
        default_factory=lambda: [PUBLIC_GROUP],
        description="Access groups given to documents when a source names none ('*' = everyone).",
    )
    embed_batch: int = 32


@lru_cache(maxsize=1)
def get_settings() -> IngestSettings:
    return IngestSettings()
