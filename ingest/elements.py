"""What a parser returns: an ordered list of typed elements, independent of the file format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingest.tables import Table

ElementKind = Literal["title", "text", "table", "list_item"]


@dataclass(frozen=True)
class Element:
    """One block of a document in reading order.

    `level` is the heading depth for titles (1 = top); `page` is the page, slide or sheet
    number (1-based) where the format has one. A table element carries its `table` (built
    by ingest.parsers.tables.build_table) and, as `text`, that table linearised
    (ingest.tables), so the chunker can split it by rows and repeat its heading.
    """

    kind: ElementKind
    text: str
    page: int | None = None
    level: int | None = None
    sheet: str | None = None
    table: Table | None = None
    ocr_confidence: float | None = None
    """Tesseract's mean word confidence (0-100) when the text was read from an image by OCR."""


class ParseError(Exception):
    """A file that cannot be indexed; `reason` is a short machine-readable code."""

    reason = "parse_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class UnsupportedFileType(ParseError):
    reason = "unsupported_type"


class CorruptFile(ParseError):
    reason = "corrupt"


class EncryptedFile(ParseError):
    reason = "encrypted"


class EmptyDocument(ParseError):
    reason = "empty"


MAX_UNPACKED_MB = 500.0
"""Default limit on what a ZIP-based document (DOCX, XLSX, PPTX, HWPX) may unpack to."""


class TooLarge(ParseError):
    """Over a configured limit, e.g. a ZIP-based document that would unpack to gigabytes."""

    reason = "too_large"


class GarbledText(ParseError):
    """The text layer is glyph garbage (ingest.parsers.quality) and OCR cannot replace it."""

    reason = "garbled_text"
