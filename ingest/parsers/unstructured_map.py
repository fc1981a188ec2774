"""unstructured elements → our Elements.

Titles are trusted where they come from document structure (Word heading styles, HTML and
Markdown headings). For PDF, plain text and slide bodies unstructured guesses titles from
short lines and happily calls a whole Korean sentence a "Title", which would make the chunker
open a new section at every sentence, so there a sentence-like title is demoted to text (the
chunker still finds "제3조 …" headings in text by itself). Every other category but page
furniture (headers, footers, page numbers, images) becomes text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.elements import Element, EmptyDocument
from ingest.parsers.normalize import SENTENCE_END, clean_text
from ingest.parsers.tables import (
    Cell,
    build_table,
    html_table_cells,
    table_element,
    table_key,
)

STRUCTURED = "structured"
HEURISTIC = "heuristic"
SPREADSHEET = "spreadsheet"

_DROPPED = frozenset({"Header", "Footer", "PageBreak", "PageNumber", "Image"})
_MAX_HEURISTIC_TITLE = 60
_SHEET_MIDNIGHT = re.compile(r"(?<=^\d{4}-\d{2}-\d{2}) 00:00:00$")


def convert(
    items: Iterable[Any],
    path: Path,
    mode: str,
    source_tables: dict[str, list[Cell]] | None = None,
) -> list[Element]:
    """Map partition output; raises EmptyDocument when nothing readable is left.

    `source_tables` (by `table_key`) replaces a table's cells with ones read from the source,
    for partitioners that lose cell spans.
    """
    out: list[Element] = []
    for item in items:
        if getattr(item, "category", "") == "Table":
            caption = out[-1].text if out and out[-1].kind != "table" else ""
            out.extend(_table(item, mode, source_tables or {}, caption))
            continue
        element = _element(item, mode)
        if element is not None:
            out.append(element)
    if not out:
        raise EmptyDocument(f"'{path.name}' 문서에 읽을 수 있는 텍스트가 없습니다.")
    return out


def _element(item: Any, mode: str) -> Element | None:
    category = getattr(item, "category", "")
    if category in _DROPPED:
        return None
    meta = item.metadata
    page = meta.page_number if isinstance(meta.page_number, int) else None
    sheet = meta.page_name if mode == SPREADSHEET else None
    text = clean_text(item.text or "")
    if not text:
        return None
    if category == "Title":
        if mode == HEURISTIC and not _heading_like(text):
            return Element(kind="text", text=text, page=page, sheet=sheet)
        depth = meta.category_depth
        level = depth + 1 if isinstance(depth, int) and depth >= 0 else 1
        return Element(kind="title", text=text, page=page, level=level, sheet=sheet)
    if category == "ListItem":
        return Element(kind="list_item", text=text, page=page, sheet=sheet)
    return Element(kind="text", text=text, page=page, sheet=sheet)


def _heading_like(text: str) -> bool:
    """A guessed title is a heading only if short, not a sentence and mostly words (a PDF
    table's loose cells such as "131.2" or "+13.3%" come out as titles too)."""
    if len(text) > _MAX_HEURISTIC_TITLE or "\n" in text or SENTENCE_END.search(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and letters * 2 >= len(text.replace(" ", ""))


def _table(
    item: Any, mode: str, source_tables: dict[str, list[Cell]], caption: str
) -> list[Element]:
    meta = item.metadata
    page = meta.page_number if isinstance(meta.page_number, int) else None
    sheet = meta.page_name if mode == SPREADSHEET else None
    html = meta.text_as_html
    cells = source_tables.get(table_key(item.text or ""))
    if cells is None:
        cells = html_table_cells(html) if html else []
    if mode == SPREADSHEET:
        # pandas renders Excel dates as datetimes; a bare date reads better and matches queries.
        cells = [replace(c, text=_SHEET_MIDNIGHT.sub("", c.text.strip())) for c in cells]
    table = build_table(cells, caption)
    if table is None:
        text = clean_text(item.text or "")
        return [Element(kind="text", text=text, page=page, sheet=sheet)] if text else []
    if mode != SPREADSHEET and table.width < 2:
        # A one-column table in a document is a framed box of text, not data.
        lines = [table.caption] if table.caption else []
        lines.extend(_unescape(row[0]) for row in (*table.header, *table.body))
        return [Element(kind="text", text="\n".join(lines), page=page, sheet=sheet)]
    return [table_element(table, page, sheet)]


def _unescape(cell: str) -> str:
    return cell.replace("\\|", "|")
