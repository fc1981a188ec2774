"""File → list[Element] for every supported format, with one entry point: `parse_file`.

The real type comes from the file's bytes (see sniff.py), so misnamed files still parse and
protected files are refused with a reason. Every failure a user can act on is a ParseError
subclass with a Korean message naming the file; raw library exceptions never escape.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.elements import MAX_UNPACKED_MB, CorruptFile, Element, ParseError
from ingest.parsers import offline  # sets the telemetry opt-out before unstructured loads
from ingest.parsers.hwp import parse_hwp
from ingest.parsers.hwpx import parse_hwpx
from ingest.parsers.images import parse_image, with_picture_text
from ingest.parsers.ocr import OcrOptions
from ingest.parsers.office import (
    parse_docx,
    parse_eml,
    parse_html,
    parse_pptx,
    parse_xls,
)
from ingest.parsers.pdf import parse_pdf
from ingest.parsers.sheets import parse_xlsx
from ingest.parsers.sniff import FileKind, sniff
from ingest.parsers.text import decode_text, parse_csv, parse_md, parse_txt

__all__ = ["DEFAULT_OCR", "OcrOptions", "decode_text", "parse_file", "sniff"]

DEFAULT_OCR = OcrOptions()
"""OCR on (when Tesseract is installed), Korean and English, 300 dpi."""

_PARSERS: dict[FileKind, Callable[[Path], list[Element]]] = {
    "xlsx": parse_xlsx,
    "xls": parse_xls,
    "hwp": parse_hwp,
    "html": parse_html,
    "eml": parse_eml,
    "md": parse_md,
    "txt": parse_txt,
    "csv": parse_csv,
}


_WITH_PICTURES: dict[FileKind, Callable[[Path], list[Element]]] = {
    "docx": parse_docx,
    "pptx": parse_pptx,
    "hwpx": parse_hwpx,
}


def parse_file(
    path: Path, max_unpacked_mb: float = MAX_UNPACKED_MB, ocr: OcrOptions = DEFAULT_OCR
) -> list[Element]:
    """Elements of the document at `path`, in reading order; scans and pictures without text
    around them are read by OCR as `ocr` says.

    Raises UnsupportedFileType, CorruptFile, EncryptedFile or EmptyDocument (all ParseError)
    for files that cannot be indexed. FileNotFoundError/PermissionError are left alone: they
    are the caller's problem, not the document's. A missing spaCy model raises
    offline.SpacyModelMissing, an installation fault.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    kind = ""
    try:
        kind = sniff(path, max_unpacked_mb)
        if kind == "hwp":  # inflates its own streams: bounded here, not by sniff
            return parse_hwp(path, max_unpacked_mb)
        if kind == "pdf":
            return parse_pdf(path, ocr)
        if kind == "image":
            return parse_image(path, ocr)
        if kind in _WITH_PICTURES:
            return with_picture_text(kind, path, _WITH_PICTURES[kind], ocr)
        return _PARSERS[kind](path)
    except (ParseError, offline.SpacyModelMissing, MemoryError, PermissionError):
        raise
    except Exception as exc:
        what = kind.upper() or path.suffix.lstrip(".").upper() or "이"
        raise CorruptFile(
            f"'{path.name}' 파일을 읽는 중 오류가 났습니다. 손상되었거나 형식이 올바르지 "
            f"않은 {what} 파일입니다 ({type(exc).__name__}: {exc})."[:500]
        ) from exc
