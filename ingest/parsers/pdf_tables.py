"""Tables in a PDF's text layer, found from where PDFium places the text.

A PDF has no table structure, only text runs at positions. PDFium's text rectangles break a
printed line where a wide gap separates its parts, so a table row reads as several segments
on one baseline, and a cell wrapped over two lines is a segment above or below its row's other
segments that overlaps them vertically. A table is taken to be 3 or more consecutive rows with
the same number (2 or more) of cells, each cell under the same header cell as its first row's
(by position between the header cells' midpoints). What is not read: a table whose first row
has merged header cells, or whose rows have merged or empty cells (the cell counts differ),
ruled forms without repeated rows, tables of fewer than 3 rows. Those keep one line per printed
row. A table that continues on the next page is joined to its header by pdf.py.

The table's rows are then matched to the page's text lines by their characters (spaces
ignored), so the text around a table is exactly what it was without the table reading.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from ingest.parsers.normalize import clean_text
from ingest.parsers.tables import Cell, build_table
from ingest.tables import Table, stated_unit

_MIN_ROWS = 3
_MAX_CAPTION = 120
_CELL_GAP = 1.2
"""A gap wider than this many text heights separates two cells, narrower joins one cell."""
_WORD_GAP = 0.3


@dataclass
class _Segment:
    left: float
    bottom: float
    right: float
    top: float
    text: str
    index: int


@dataclass
class PageTable:
    """A table found on a page and the characters (no spaces) its rows print, in order."""

    table: Table
    key: str


def page_tables(textpage: Any) -> list[PageTable]:
    rows = _rows(_segments(textpage))
    found: list[PageTable] = []
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and _aligned(rows[start], rows[end]):
            end += 1
        if end - start >= _MIN_ROWS and len(rows[start]) >= 2:
            found.extend(_table(rows[start:end]))
            start = end
        else:
            start += 1
    return found


def place_tables(lines: list[str], tables: list[PageTable]) -> list[str | Table]:
    """The page's lines with each table's lines replaced by the table; a table whose text
    cannot be matched to whole lines is left as lines."""
    keys = [line.replace(" ", "") for line in lines]
    out: list[str | Table] = []
    position = 0
    for found in tables:
        match = _find(keys, found.key, position)
        if match is None:
            continue
        first, last = match
        out.extend(lines[position:first])
        caption = lines[first - 1] if first > 0 else ""
        unit = found.table.unit or stated_unit(caption[:_MAX_CAPTION])
        out.append(replace(found.table, unit=unit))
        position = last
    out.extend(lines[position:])
    return out


def _find(keys: list[str], key: str, start: int) -> tuple[int, int] | None:
    for first in range(start, len(keys)):
        if not keys[first] or not key.startswith(keys[first]):
            continue
        joined, last = "", first
        while last < len(keys) and len(joined) < len(key) and key.startswith(joined + keys[last]):
            joined += keys[last]
            last += 1
        if joined == key:
            return first, last
    return None


def _segments(textpage: Any) -> list[_Segment]:
    segments = []
    for index in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(index)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if text.strip():
            segments.append(_Segment(left, bottom, right, top, text, index))
    return segments


def _rows(segments: list[_Segment]) -> list[list[list[_Segment]]]:
    """Printed rows, each as its cells. A row is a run of segments in stream order that
    overlap vertically; rows that overlap each other are one (a cell wrapped over two lines
    sits above or below the row's middle)."""
    rows: list[tuple[list[_Segment], float, float]] = []
    for segment in segments:
        if rows and segment.bottom < rows[-1][2] and segment.top > rows[-1][1]:
            run, bottom, top = rows[-1]
            rows[-1] = ([*run, segment], min(bottom, segment.bottom), max(top, segment.top))
            while len(rows) > 1 and rows[-1][1] < rows[-2][2] and rows[-1][2] > rows[-2][1]:
                (a, a_bottom, a_top), (b, b_bottom, b_top) = rows[-2], rows.pop()
                rows[-1] = ([*a, *b], min(a_bottom, b_bottom), max(a_top, b_top))
        else:
            rows.append(([segment], segment.bottom, segment.top))
    return [_cells(run) for run, _, _ in rows]


def _cells(row: list[_Segment]) -> list[list[_Segment]]:
    height = min(s.top - s.bottom for s in row)
    cells: list[list[_Segment]] = []
    for segment in sorted(row, key=lambda s: s.left):
        if cells and segment.left - max(s.right for s in cells[-1]) < _CELL_GAP * height:
            cells[-1].append(segment)
        else:
            cells.append([segment])
    return cells


def _aligned(header: list[list[_Segment]], row: list[list[_Segment]]) -> bool:
    """Same number of cells, each between the midpoints that bound its header cell."""
    if len(row) != len(header) or len(header) < 2:
        return False
    edges = [(max(s.right for s in a) + min(s.left for s in b)) / 2 for a, b in pairwise(header)]
    bounds = [float("-inf"), *edges, float("inf")]
    for column, cell in enumerate(row):
        centre = (min(s.left for s in cell) + max(s.right for s in cell)) / 2
        if not bounds[column] <= centre <= bounds[column + 1]:
            return False
    return True


def _table(rows: list[list[list[_Segment]]]) -> list[PageTable]:
    cells = [
        Cell(r, c, _cell_text(cell)) for r, row in enumerate(rows) for c, cell in enumerate(row)
    ]
    table = build_table(cells)
    if table is None:
        return []
    key = "".join(s.text for row in rows for s in _stream_order(row))
    return [PageTable(table, "".join(key.split()))]


def _cell_text(cell: list[_Segment]) -> str:
    """The cell's segments in stream order; a space where a wrapped cell changes line or a
    gap wider than a narrow space separates two segments (segments carry their own spaces)."""
    parts: list[str] = []
    previous: _Segment | None = None
    for segment in sorted(cell, key=lambda s: s.index):
        if previous is not None:
            same_line = segment.bottom < previous.top and segment.top > previous.bottom
            gap = segment.left - previous.right
            if not same_line or gap > _WORD_GAP * (segment.top - segment.bottom):
                parts.append(" ")
        parts.append(segment.text)
        previous = segment
    return clean_text("".join(parts))


def _stream_order(row: list[list[_Segment]]) -> list[_Segment]:
    """A row's segments in the order the page printed them (the order text lines follow)."""
    return sorted((s for cell in row for s in cell), key=lambda s: s.index)
