"""Ingestion configuration: chunk sizes, limits, and the default knowledge base and access groups."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.elements import MAX_UNPACKED_MB
from retrieval.store.base import PUBLIC_GROUP


class Source(BaseModel):
    """A folder to keep indexed, with the knowledge base and access groups of its documents."""

    path: Path
    knowledge_base: str = "default"
    acl_groups: list[str] = Field(default_factory=lambda: [PUBLIC_GROUP])


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KDOCQA_", extra="ignore")

    chunk_tokens: int = Field(default=256, description="Chunk budget in embedding-model tokens.")
    chunk_overlap_sentences: int = 1
    max_file_mb: float = Field(default=50.0, description="Larger files are skipped and reported.")
    max_unpacked_mb: float = Field(
        default=MAX_UNPACKED_MB,
        description="ZIP-based documents (DOCX, XLSX, PPTX, HWPX) that unpack to more are "
        "skipped as zip bombs.",
    )
    default_knowledge_base: str = "default"
    default_acl_groups: list[str] = Field(
        default_factory=lambda: [PUBLIC_GROUP],
        description="Access groups given to documents when a source names none ('*' = everyone).",
    )
    embed_batch: int = 32
    upload_parse_timeout_s: float = Field(
        default=120.0,
        description="An upload's parser still running after this is killed (the upload fails).",
    )
    upload_parse_memory_mb: int = Field(
        default=4096,
        description="Address-space limit of the process that parses uploads; 0 = none.",
    )
    parse_workers: int = Field(
        default=0,
        description="Processes that parse files while the main process embeds, in runs of 16 "
        "files or more; 0 = one per CPU core but the main process's, 1 = parse in the main process.",
    )
    sources: list[Source] = Field(
        default_factory=list,
        description="Folders that `kdocqa sync` and the schedule keep indexed (JSON list of "
        '{"path", "knowledge_base", "acl_groups"}).',
    )
    sync_cron: str | None = Field(
        default="0 2 * * *",
        description="When the scheduled sync runs (cron, local time); empty disables it.",
    )


@lru_cache(maxsize=1)
def get_settings() -> IngestSettings:
    return IngestSettings()
