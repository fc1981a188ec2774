"""Ingestion configuration: chunk sizes, limits, and the default knowledge base and access groups."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.elements import MAX_UNPACKED_MB
from ingest.parsers.ocr import OcrMode, OcrOptions
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
    parse_timeout_s: float = Field(
        default=600.0,
        description="`kdocqa ingest`/sync: a file whose parser runs longer is stopped and "
        "reported (parser_timeout); 0 = no limit.",
    )
    ocr: OcrMode = Field(
        default="auto",
        description="auto: scanned PDF pages, image files and text-less pictures in "
        "DOCX/HWPX/PPTX are read by Tesseract; off: they are reported instead.",
    )
    ocr_languages: str = Field(default="kor+eng", description="Tesseract language models.")
    ocr_dpi: int = Field(default=300, ge=72, le=600, description="PDF pages are rendered at this.")
    ocr_min_confidence: float = Field(
        default=40.0,
        ge=0,
        le=100,
        description="OCR pages with a lower mean word confidence (0-100) are not indexed.",
    )
    ocr_page_timeout_s: float = Field(default=120.0, description="Tesseract's limit per page.")
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

    def ocr_options(self) -> OcrOptions:
        """What the parsers need to know about OCR (picklable, for the parse workers)."""
        return OcrOptions(
            mode=self.ocr,
            languages=self.ocr_languages,
            dpi=self.ocr_dpi,
            min_confidence=self.ocr_min_confidence,
            timeout_s=self.ocr_page_timeout_s,
        )


@lru_cache(maxsize=1)
def get_settings() -> IngestSettings:
    return IngestSettings()
