"""Cells with their merge spans, from any format, → one `ingest.tables.Table`.

Every parser reduces its tables to Cells (row, column, spans) and calls `build_table`, so
merges, header rows and the row-header column are decided once, here: a body cell merged
downwards repeats its text in each row it covers (each row then stands on its own once
split), a body cell merged across keeps its text in its first column only (forms with wide
value cells would otherwise repeat it 7 times), a header cell merged across labels every
column under it, and rows or columns left empty are dropped. How the Table is then written
out for the model is `ingest.tables.linearise`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from ingest.elements import Element
from ingest.tables import Table, stated_unit, table_text

_SPACE = re.compile(r"\s+")
_MAX_GRID_CELLS = 1_000_000
_MAX_HEADER_ROWS = 3
_MAX_HEADER_CHARS = 40
_MAX_CAPTION = 120
# No letters: a figure, a date, a code or a phone number is a value, never a column name.
_NUMERIC = re.compile(r"^[\d\s,.:;/~%()+\-–—#*·]+$")
_DATE = re.compile(r"\d+\s*년\s*\d+\s*월|\d{4}[-./]\d{1,2}[-./]\d{1,2}")
_DIGIT = re.compile(r"\d")
# An amount ("18일", "60,000원", "12.5%"): a value, while "2025년", "1월", "3분기" name columns.
_AMOUNT = re.compile(
    r"^[+-]?\d[\d,.]*\s*(일|원|만\s*원|억\s*원|명|개|건|시간|회|%|㎡|점|층|면|석|포인트)$"
)
# Ends like a sentence ("입력해 주세요.", "적용한다"); unlike normalize.SENTENCE_END, not
# at 임/음/함, which end names ("수석·책임") as often as clipped sentences.
_SENTENCE = re.compile(r"([.!?。]|다|요)[\"'”’)]?$")


@dataclass(frozen=True)
class Cell:
    """One source cell at its grid position (0-based) with its merge spans."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def cell_text(text: str) -> str:
    """One-line cell text: a table row is one line, and a bare pipe would read as a cell
    boundary."""
    return _SPACE.sub(" ", text).strip().replace("|", "\\|")


@dataclass
class _Grid:
    """Every slot's text, merges filled both ways; `right[r][c]` marks a slot that continues
    the cell on its left, `down[r][c]` one that continues the cell above."""

    text: list[list[str]]
    right: list[list[bool]]
    down: list[list[bool]]


def build_grid(cells: Iterable[Cell]) -> list[list[str]]:
    """Place cells on a rectangular grid (see `_own_text`), empty rows and columns dropped."""
    return _own_text(_place(cells))


def build_table(cells: Iterable[Cell], caption: str = "") -> Table | None:
    """The cells as a Table (None when empty): title rows above the data (one value across
    the table) become its caption, then header rows and the row-header column are recognised.

    `caption` is the text printed just above the table ("[표 1] 손익 (단위: 억 원)"), read
    for a unit stated for the whole table.
    """
    grid = _place(cells)
    rows = _own_text(grid)
    titles: list[str] = []
    while len(rows) > 1 and len(rows[0]) > 1 and sum(1 for v in rows[0] if v) <= 1:
        titles.append(next(v for v in rows.pop(0) if v))
    if not rows:
        return None
    skip = len(titles)
    count = _header_rows(grid, skip, len(rows))
    header = tuple(tuple(row) for row in grid.text[skip : skip + count])
    body = tuple(tuple(row) for row in rows[count:])
    unit = next((u for u in map(stated_unit, [*titles, caption[:_MAX_CAPTION]]) if u), "")
    return Table(body, header, _names_rows(body), " ".join(titles), unit)


def table_element(table: Table, page: int | None = None, sheet: str | None = None) -> Element:
    return Element("table", table_text(table), page=page, sheet=sheet, table=table)


def _own_text(grid: _Grid) -> list[list[str]]:
    """Rows with a cell merged across written in its first column only (a form's wide value
    cell would otherwise repeat 7 times); a cell merged downwards repeats in each row."""
    return [
        [text if not right else "" for text, right in zip(row, rights, strict=True)]
        for row, rights in zip(grid.text, grid.right, strict=True)
    ]


def _header_rows(grid: _Grid, skip: int, total: int) -> int:
    """0 when the first row does not read as column names (a form, numbers, sentences);
    else 1, extended (at most 3, one body row left) over a row that a header cell is merged
    down into, or over the sub-headers of a header merged across ("숙박비 상한" over
    "광역시 | 기타 지역": words only, a row with figures is data)."""
    if total < 2 or not _reads_as_header(grid.text[skip]):
        return 0
    count = 1
    while count < min(_MAX_HEADER_ROWS, total - 1):
        below = skip + count
        spans_down = any(grid.down[below])
        grouped = (
            any(grid.right[below - 1])
            and _reads_as_header(grid.text[below])
            and not any(_DIGIT.search(v) for v in grid.text[below])
        )
        if not (spans_down or grouped):
            break
        count += 1
    return count


def _reads_as_header(row: list[str]) -> bool:
    values = [v for v in row if v]
    if len(values) < max(2, (len(row) + 1) // 2):
        return False
    return all(
        len(v) <= _MAX_HEADER_CHARS
        and not _NUMERIC.match(v)
        and not _DATE.search(v)
        and not _AMOUNT.match(v)
        and not _SENTENCE.search(v)
        for v in values
    )


def _names_rows(body: tuple[tuple[str, ...], ...]) -> bool:
    """The first column names the rows when it holds short words, not bare numbers, codes
    or sentences (a comparison table's "현행" column is data)."""
    # Rows with one cell only (notes, group titles across the table) name nothing.
    values = [row[0] for row in body if row and row[0] and sum(1 for v in row if v) > 1]
    if not values or len(body[0]) < 2:
        return False
    named = sum(
        1
        for v in values
        if not _NUMERIC.match(v) and len(v) <= _MAX_HEADER_CHARS and not _SENTENCE.search(v)
    )
    return named * 5 >= len(values) * 4


def _place(cells: Iterable[Cell]) -> _Grid:
    """Cells on a grid whose rows and columns are those where some cell starts, so a damaged
    file's absurd address or span (row 65535, colspan 9999) cannot blow the grid up."""
    cells = [c for c in cells if c.row >= 0 and c.col >= 0]
    if not cells:
        return _Grid([], [], [])
    rows = sorted({c.row for c in cells})
    cols = sorted({c.col for c in cells})
    if len(rows) * len(cols) > _MAX_GRID_CELLS:
        return _ragged_grid(cells)
    row_index = {r: i for i, r in enumerate(rows)}
    col_index = {c: i for i, c in enumerate(cols)}
    text = [[""] * len(cols) for _ in rows]
    right = [[False] * len(cols) for _ in rows]
    down = [[False] * len(cols) for _ in rows]
    filled = [[False] * len(cols) for _ in rows]
    budget = _MAX_GRID_CELLS * 4  # overlapping spans in a damaged file cost at most this
    for cell in cells:
        r0, c0 = row_index[cell.row], col_index[cell.col]
        r1 = max(r0 + 1, bisect_left(rows, cell.row + max(1, cell.rowspan)))
        c1 = max(c0 + 1, bisect_left(cols, cell.col + max(1, cell.colspan)))
        value = cell_text(cell.text)
        for r in range(r0, r1):
            for c in range(c0, c1):
                budget -= 1
                if filled[r][c] or budget < 0:
                    continue  # first writer wins
                filled[r][c] = True
                text[r][c], right[r][c], down[r][c] = value, c > c0, r > r0
    return _prune(_Grid(text, right, down))


def _ragged_grid(cells: list[Cell]) -> _Grid:
    """Fallback for implausible layouts: each stored row in cell order, spans ignored."""
    by_row: dict[int, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    rows = [
        [cell_text(c.text) for c in sorted(by_row[r], key=lambda c: c.col)] for r in sorted(by_row)
    ]
    width = min(max(len(r) for r in rows), 1000)
    text = [(r + [""] * width)[:width] for r in rows]
    flags = [[False] * width for _ in text]
    return _prune(_Grid(text, flags, [list(f) for f in flags]))


def _prune(grid: _Grid) -> _Grid:
    """Rows and columns where no cell has text of its own are dropped."""
    own = [
        [bool(t) and not r for t, r in zip(row, rights, strict=True)]
        for row, rights in zip(grid.text, grid.right, strict=True)
    ]
    keep_rows = [i for i, row in enumerate(grid.text) if any(row)]
    if not keep_rows:
        return _Grid([], [], [])
    keep_cols = [c for c in range(len(grid.text[0])) if any(own[r][c] for r in keep_rows)]

    def pick(rows: list[list[Any]]) -> list[list[Any]]:
        return [[rows[r][c] for c in keep_cols] for r in keep_rows]

    return _Grid(pick(grid.text), pick(grid.right), pick(grid.down))


def html_table_cells(table_html: str) -> list[Cell]:
    """Cells of the first <table> in `table_html`, positioned as a browser would lay them out."""
    try:
        root = lxml_html.fragment_fromstring(table_html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    tables = root.xpath("descendant-or-self::table")
    return _layout(tables[0]) if tables else []


def table_key(text: str) -> str:
    """A table's text with all whitespace removed, to match it across parsers."""
    return _SPACE.sub("", text)


def source_tables(page_html: str) -> dict[str, list[Cell]]:
    """Outermost tables of an HTML page, keyed by `table_key` of their cell texts."""
    try:
        root = lxml_html.document_fromstring(page_html)
    except (etree.ParserError, ValueError):
        return {}
    found: dict[str, list[Cell]] = {}
    for table in root.iter("table"):
        if _nearest_table(table) is None:
            cells = _layout(table)
            found.setdefault(table_key("".join(c.text for c in cells)), cells)
    return found


def _layout(table: etree._Element) -> list[Cell]:
    # Rows of this table only, not of tables nested in its cells.
    rows = [tr for tr in table.iter("tr") if _nearest_table(tr) is table]
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rowspan = _span(td.get("rowspan"))
            colspan = _span(td.get("colspan"))
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    taken.add((rr, cc))
            cells.append(Cell(r, c, td.text_content(), rowspan, colspan))
            c += colspan
    return cells


def _nearest_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 1000)
    except ValueError:
        return 1
