"""PDF text layer through PDFium (pypdfium2), one page at a time, page numbers kept.

Why not unstructured here (the prescribed parser for the other formats): its offline "fast"
strategy is pdfminer, pure Python, which made PDF 46% of all parse time at 4.7 files/s; PDFium
(C++, the engine of Chromium's viewer) reads the same text layer at 186 files/s (`python -m eval
ingest --parse-only`, README "Ingestion throughput"). On the fast strategy unstructured returned
one element per printed line and every table cell as a loose line, guessed short cells to be
titles, and has no table model offline either.

What the text layer gives is lines in reading order. They are turned into blocks the chunker
can use: a line that fills the page width and is not a sentence end continues on the next one
(the writer's line wrap), while short lines — headings (제3조, 1., 가.), table rows, list items —
stand alone, where the chunker finds the headings by their patterns. Running headers and
footers repeated at the top or bottom of most pages, and bare page numbers, are dropped.
Tables whose rows PDFium prints as aligned cells become table elements (pdf_tables.py).

A page without a text layer that holds an image (a scan), or whose text is glyph garbage
(quality.py), is rendered by PDFium at the OCR resolution and read by Tesseract (ocr.py); its
elements carry the OCR confidence. Where OCR cannot run, a scan-only PDF or a garbled page is
reported with the reason instead of being indexed empty or as junk.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.elements import CorruptFile, Element, EmptyDocument, EncryptedFile, GarbledText
from ingest.parsers.normalize import SENTENCE_END, clean_text
from ingest.parsers.ocr import OcrOptions, Unreadable, missing, read_image, require
from ingest.parsers.pdf_tables import PageTable, page_tables, place_tables
from ingest.parsers.quality import text_problem
from ingest.parsers.tables import table_element

_PASSWORD_ERRORS = frozenset({4, 5})  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
_EDGE_LINES = 2
"""Lines at the top and at the bottom of a page where running headers and footers sit."""
_FULL_LINE = 0.75
"""A line at least this share of the page's longest line was wrapped by the writer."""
_PAGE_NUMBER = re.compile(
    r"^[-–—(\[]?\s*(page\s*|p\.\s*)?\d{1,4}(\s*/\s*\d{1,4})?\s*[-–—)\]]?$", re.I
)
# Unlike the chunker's heading patterns, a numbered start needs a space ("1. 목적", not "1.5억"),
# so a wrapped line that begins with a decimal still joins its sentence.
_BLOCK_START = re.compile(
    r"^(제\s*\d+\s*[편장절조]|[IVX]+\.|\d+(\.\d+)*[.)]\s|[가-하][.)]\s|[(（]\d+[)）]|[①-⑳]|"
    r"[-•·▪□■○●◦※▶]\s|\[(표|그림)\s*\d)"
)


@dataclass
class _Page:
    lines: list[str]
    tables: list[PageTable] = field(default_factory=list)
    confidence: float | None = None
    """OCR confidence when the lines were read from the page's image."""
    unread: str = ""
    """Why a scanned page has no lines: "no_ocr" (OCR cannot run) or "low_confidence"."""


def parse_pdf(path: Path, ocr: OcrOptions) -> list[Element]:
    pages = _pages(path, ocr)
    furniture = _running_lines([page.lines for page in pages])
    elements = [
        element
        for number, page in enumerate(pages, start=1)
        for element in _page_elements(_without_furniture(page.lines, furniture), page, number)
    ]
    elements = _continued_tables(elements)
    if not elements:
        _refuse_unread(path.name, pages, ocr)
    return elements


def _refuse_unread(name: str, pages: list[_Page], ocr: OcrOptions) -> None:
    """The reason a PDF gave no text: scans OCR could not read, or no text at all."""
    unread = {page.unread for page in pages}
    if "no_ocr" in unread:
        require(ocr, name, "텍스트 층이 없는 스캔 PDF인데")
    if "low_confidence" in unread:
        raise Unreadable(
            f"'{name}' PDF는 스캔 이미지인데 OCR 신뢰도가 {ocr.min_confidence:g} 미만이라 "
            "색인하지 않았습니다. 더 선명하게 스캔해 올려 주세요."
        )
    raise EmptyDocument(f"'{name}' PDF에 텍스트 층이 없고 글자가 있는 이미지도 없습니다.")


def _page_elements(lines: list[str], page: _Page, number: int) -> list[Element]:
    """Text blocks and the tables found among the page's lines, in reading order."""
    longest = max((len(line) for line in lines), default=0)
    out: list[Element] = []
    run: list[str] = []
    for item in [*place_tables(lines, page.tables), None]:
        if isinstance(item, str):
            run.append(item)
            continue
        out.extend(
            Element(kind="text", text=block, page=number, ocr_confidence=page.confidence)
            for block in _blocks(run, longest)
        )
        run = []
        if item is not None:
            out.append(table_element(item, page=number))
    return out


def _continued_tables(elements: list[Element]) -> list[Element]:
    """A table that opens a page right after a table of as many columns closed the page
    before continues it: its rows (its first one too, which is data, not a header) are read
    under the earlier part's header, row header, caption and unit."""
    out: list[Element] = []
    for element in elements:
        before = out[-1] if out else None
        table, earlier = element.table, before.table if before else None
        if (
            table is not None
            and earlier is not None
            and before is not None
            and earlier.header
            and element.page == (before.page or 0) + 1
            and table.width == earlier.width
        ):
            rows = (*table.header, *table.body)
            element = table_element(replace(earlier, body=rows), page=element.page)
        out.append(element)
    return out


def _pages(path: Path, ocr: OcrOptions) -> list[_Page]:
    """Each page's non-empty lines and tables, scans and garbled pages read by OCR;
    EncryptedFile / CorruptFile as PDFium sees the file."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if exc.err_code in _PASSWORD_ERRORS:
            raise EncryptedFile(
                f"'{path.name}' PDF는 열기 암호가 걸려 있어 읽을 수 없습니다. "
                "암호를 해제한 뒤 다시 올려 주세요."
            ) from exc
        raise CorruptFile(
            f"'{path.name}' PDF가 손상되었거나 잘려 있어 읽을 수 없습니다 ({exc})."
        ) from exc
    try:
        if len(document) == 0:
            raise EmptyDocument(f"'{path.name}' PDF에 페이지가 없습니다.")
        return [_page(document[i], i + 1, path.name, ocr) for i in range(len(document))]
    finally:
        document.close()


def _page(page: Any, number: int, name: str, ocr: OcrOptions) -> _Page:
    """One page from its text layer, or from OCR when the layer is missing or garbage."""
    textpage = page.get_textpage()
    text = clean_text(textpage.get_text_range())
    lines = [line for line in text.split("\n") if line.strip()]
    problem = text_problem(text)
    if problem is None and lines:
        return _Page(lines, page_tables(textpage))
    if problem is None and not _has_image(page):
        return _Page([])  # a blank page
    if problem is not None and (not ocr.enabled or missing(ocr.languages)):
        why = "KDOCQA_OCR=off" if not ocr.enabled else missing(ocr.languages)
        raise GarbledText(
            f"'{name}' PDF {number}쪽: {problem}. OCR로 다시 읽을 수 없어({why}) "
            "색인하지 않았습니다."
        )
    if not ocr.enabled or missing(ocr.languages):
        return _Page([], unread="no_ocr")  # other pages may have text; else _refuse_unread
    bitmap = page.render(scale=ocr.dpi / 72, grayscale=True)
    read = read_image(bitmap.to_pil(), ocr)
    if read.confidence < ocr.min_confidence:
        return _Page([], unread="low_confidence")  # guesses would mislead search
    return _Page(read.lines, confidence=round(read.confidence, 1))


def _has_image(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _shape(line: str) -> str:
    """A line with its digits and spaces removed: "- 3 -" and "- 4 -" have the same shape."""
    return re.sub(r"[\d\s]+", "", line)


def _edges(lines: list[str]) -> dict[int, str]:
    """Indexes of the top and bottom edge lines, each with which edge it is on."""
    top = {i: "top" for i in range(min(_EDGE_LINES, len(lines)))}
    bottom = {i: "bottom" for i in range(max(0, len(lines) - _EDGE_LINES), len(lines))}
    return {**bottom, **top}


def _running_lines(pages: list[list[str]]) -> frozenset[tuple[str, str]]:
    """(edge, shape) of the edge lines found at the same edge on at least two pages and half
    of them: a table row closing one page and one opening the next have the same shape, but
    at opposite edges, and stay."""
    counts = Counter(
        key
        for lines in pages
        for key in {(edge, _shape(lines[i])) for i, edge in _edges(lines).items()}
    )
    return frozenset(k for k, n in counts.items() if n >= 2 and n * 2 >= len(pages))


def _without_furniture(lines: list[str], running: frozenset[tuple[str, str]]) -> list[str]:
    edges = _edges(lines)
    return [
        line
        for i, line in enumerate(lines)
        if i not in edges
        or ((edges[i], _shape(line)) not in running and not _PAGE_NUMBER.match(line))
    ]


def text_blocks(lines: list[str]) -> list[str]:
    """Lines (of a page, or read by OCR) joined back where the writer wrapped them."""
    return _blocks(lines, max((len(line) for line in lines), default=0))


def _blocks(lines: list[str], longest: int) -> list[str]:
    """Lines joined back where the writer wrapped them (`longest`: the page's longest line)."""
    if not lines:
        return []
    full = _FULL_LINE * longest
    blocks: list[str] = []
    for previous, line in zip(["", *lines], lines, strict=False):
        wrapped = len(previous) >= full and not SENTENCE_END.search(previous)
        if blocks and wrapped and not _BLOCK_START.match(line):
            blocks[-1] = f"{blocks[-1]} {line}"
        else:
            blocks.append(line)
    return blocks
