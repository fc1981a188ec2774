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
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ingest.elements import CorruptFile, Element, EmptyDocument, EncryptedFile
from ingest.parsers.normalize import SENTENCE_END, clean_text
from ingest.parsers.pdf_tables import PageTable, page_tables, place_tables
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


def parse_pdf(path: Path) -> list[Element]:
    pages = _page_lines(path)
    furniture = _running_lines([lines for lines, _ in pages])
    elements = [
        element
        for number, (lines, tables) in enumerate(pages, start=1)
        for element in _page_elements(_without_furniture(lines, furniture), tables, number)
    ]
    elements = _continued_tables(elements)
    if not elements:
        raise EmptyDocument(
            f"'{path.name}' PDF에 텍스트 층이 없습니다. 스캔한 이미지 PDF라면 OCR을 거친 "
            "파일을 올려 주세요."
        )
    return elements


def _page_elements(lines: list[str], tables: list[PageTable], page: int) -> list[Element]:
    """Text blocks and the tables found among the page's lines, in reading order."""
    longest = max((len(line) for line in lines), default=0)
    out: list[Element] = []
    run: list[str] = []
    for item in [*place_tables(lines, tables), None]:
        if isinstance(item, str):
            run.append(item)
            continue
        out.extend(Element(kind="text", text=block, page=page) for block in _blocks(run, longest))
        run = []
        if item is not None:
            out.append(table_element(item, page=page))
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


def _page_lines(path: Path) -> list[tuple[list[str], list[PageTable]]]:
    """Each page's non-empty lines and tables; EncryptedFile / CorruptFile as PDFium sees
    the file."""
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
        pages = []
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            text = clean_text(textpage.get_text_range())
            lines = [line for line in text.split("\n") if line.strip()]
            pages.append((lines, page_tables(textpage)))
        return pages
    finally:
        document.close()


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
