"""Tables as Markdown with the header row first, whatever format they came from.

The chunker splits long tables by rows and repeats the first row, so every format's table is
reduced to one grid here: a vertically merged cell repeats its text in each row it covers
(each row then stands on its own once split), a horizontally merged cell keeps its text in
its first column only (forms with wide value cells would otherwise repeat it 7 times), and
rows or columns left empty are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

_SPACE = re.compile(r"\s+")
_MAX_GRID_CELLS = 1_000_000


@dataclass(frozen=True)
class Cell:
    """One source cell at its grid position (0-based) with its merge spans."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def cell_text(text: str) -> str:
    """One-line cell text: Markdown rows cannot hold line breaks or bare pipes."""
    return _SPACE.sub(" ", text).strip().replace("|", "\\|")


def build_grid(cells: Iterable[Cell]) -> list[list[str]]:
    """Place cells on a rectangular grid, then drop empty rows and columns.

    Rows and columns are renumbered to those where some cell starts, so a damaged file's
    absurd address or span (row 65535, colspan 9999) cannot blow the grid up.
    """
    cells = [c for c in cells if c.row >= 0 and c.col >= 0]
    if not cells:
        return []
    rows = sorted({c.row for c in cells})
    cols = sorted({c.col for c in cells})
    if len(rows) * len(cols) > _MAX_GRID_CELLS:
        return _ragged_grid(cells)
    row_index = {r: i for i, r in enumerate(rows)}
    col_index = {c: i for i, c in enumerate(cols)}
    grid = [[""] * len(cols) for _ in rows]
    filled = [[False] * len(cols) for _ in rows]
    budget = _MAX_GRID_CELLS * 4  # overlapping spans in a damaged file cost at most this
    for cell in cells:
        r0, c0 = row_index[cell.row], col_index[cell.col]
        r1 = max(r0 + 1, bisect_left(rows, cell.row + max(1, cell.rowspan)))
        c1 = max(c0 + 1, bisect_left(cols, cell.col + max(1, cell.colspan)))
        text = cell_text(cell.text)
        for r in range(r0, r1):
            for c in range(c0, c1):
                budget -= 1
                if filled[r][c] or budget < 0:
                    continue  # first writer wins
                filled[r][c] = True
                grid[r][c] = text if c == c0 else ""
    return _prune(grid)


def _ragged_grid(cells: list[Cell]) -> list[list[str]]:
    """Fallback for implausible layouts: each stored row in cell order, spans ignored."""
    by_row: dict[int, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    rows = [
        [cell_text(c.text) for c in sorted(by_row[r], key=lambda c: c.col)] for r in sorted(by_row)
    ]
    width = min(max(len(r) for r in rows), 1000)
    return _prune([(r + [""] * width)[:width] for r in rows])


def _prune(grid: list[list[str]]) -> list[list[str]]:
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    keep = [c for c in range(len(grid[0])) if any(row[c] for row in grid)]
    return [[row[c] for c in keep] for row in grid]


def grid_to_markdown(grid: list[list[str]]) -> str:
    """Markdown table whose first grid row is the header row."""
    if not grid:
        return ""
    lines = ["| " + " | ".join(grid[0]) + " |", "|" + "---|" * len(grid[0])]
    lines.extend("| " + " | ".join(row) + " |" for row in grid[1:])
    return "\n".join(lines)


def cells_to_markdown(cells: Iterable[Cell]) -> str:
    return grid_to_markdown(build_grid(cells))


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
