"""A table as the model reads it: caption, header rows, a row-header column, body rows, and the
one linearisation every format's table goes through.

Why not a Markdown grid: the 1.5B default model reading "| 임원 | 60,000원 | 150,000원 |"
under a header three lines up copies a value from the wrong row or column. Here every value
sits next to what it means, on a line that stands on its own:

    직급 | 일비 | 숙박비 상한 (서울·광역시) | 숙박비 상한 (기타 지역)
    임원 | 일비: 60,000원 | 숙박비 상한 (서울·광역시): 150,000원 | 숙박비 상한 (기타 지역): 120,000원

The first line names the columns (the chunker repeats it on every piece of a split table); a
body line starts with its row header (the first column, when it holds names rather than
numbers) and gives each other non-empty cell as "column label: value". A header over two rows
reads "숙박비 상한 (광역시)"; a unit stated once ("(단위: 억 원)", "인원(명)") is written onto
the bare numbers it applies to ("148.6억 원"). Empty cells are left out, which pays for most of
the labels. A table whose first row is not a header (forms, data without one) keeps the plain
row form "a | b | c", or "key: value" when it has two columns and names in the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RECIPE = "labelled-rows-1"
"""Part of the index recipe (ingest/index.py): change it whenever table text changes."""

_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")
_TABLE_UNIT = re.compile(r"[(\[]\s*단위\s*[:：]?\s*([^)\]]{1,12}?)\s*[)\]]")
_COLUMN_UNIT = re.compile(r"[(\[]\s*([^\d()\[\]]{1,5}?)\s*[)\]]\s*$")
_UNIT_WORDS = re.compile(r"^(천|만|백만|억|조)?\s*(원|달러|명|개|건|일|시간|회|%|㎡|km|kg|개사)$")


@dataclass(frozen=True)
class Table:
    """One table, merges already resolved: a header cell spanning columns is repeated over
    them, a body cell spanning rows is repeated in each row (so a row stands on its own).

    `header` holds 0–3 header rows; `row_header` says the first column names each row;
    `caption` is a title written in the table's own first rows; `unit` one stated for the
    whole table ("(단위: 원)"), for the bare numbers of columns that state none.
    """

    body: tuple[tuple[str, ...], ...]
    header: tuple[tuple[str, ...], ...] = ()
    row_header: bool = False
    caption: str = ""
    unit: str = ""

    @property
    def width(self) -> int:
        rows = self.header or self.body
        return len(rows[0]) if rows else 0


@dataclass(frozen=True)
class TableRow:
    """One body row: its row header (possibly "") and its labelled cells ("일비: 35,000원"),
    with `values` the same cells unlabelled, for search (see `TableLines`)."""

    prefix: str
    cells: list[str]
    values: list[str]


@dataclass(frozen=True)
class TableLines:
    """A table linearised: `heading` goes on top of every chunk, then each row's line
    (`join_row`). The labels are for the model; search indexes the heading and the rows'
    bare values instead (the grid's own words, each once), because labels repeated on every
    row lengthen a chunk for BM25 and dilute its embedding without adding a word."""

    heading: str
    rows: list[TableRow]


def join_row(prefix: str, cells: list[str]) -> str:
    return " | ".join([prefix, *cells] if prefix else cells)


def linearise(table: Table) -> TableLines:
    """The table's text for the index and the prompt (see the module docstring)."""
    labels = column_labels(table)
    units = [_unit(label) or table.unit for label in labels]
    heading_lines = [table.caption] if table.caption else []
    if table.header:
        shown = [_strip_unit(label) for label in labels]
        # A header merged across columns with nothing under it is named once.
        heading_lines.append(
            " | ".join(v for i, v in enumerate(shown) if not i or v != shown[i - 1])
        )
    rows = [_row(table, row, labels, units) for row in table.body]
    return TableLines("\n".join(heading_lines), [r for r in rows if r.prefix or r.cells])


def table_text(table: Table) -> str:
    lines = linearise(table)
    body = [join_row(row.prefix, row.cells) for row in lines.rows]
    return "\n".join([lines.heading, *body] if lines.heading else body)


def column_labels(table: Table) -> list[str]:
    """One label per column: its header texts from top to bottom, "상위 (하위)" when they
    differ (a header merged over two rows gives the same text twice: said once)."""
    labels = []
    for column in range(table.width):
        parts: list[str] = []
        for row in table.header:
            text = row[column]
            if text and text not in parts:
                parts.append(text)
        if len(parts) > 1:
            labels.append(f"{parts[0]} ({', '.join(parts[1:])})")
        else:
            labels.append(parts[0] if parts else "")
    return labels


def _row(table: Table, row: tuple[str, ...], labels: list[str], units: list[str]) -> TableRow:
    filled = [c for c, value in enumerate(row) if value]
    if filled == [0] and table.width > 1:
        return TableRow(row[0], [], [])  # a note or a group title written across the table
    if not table.header:
        if table.row_header and table.width == 2:
            pair = [f"{row[0]}: {row[1]}" if row[1] else row[0]]
            return TableRow("", pair, pair)
        plain = [value for value in row if value]
        return TableRow("", plain, plain)
    first = 1 if table.row_header else 0
    cells, values = [], []
    for c in range(first, len(row)):
        if not row[c]:
            continue
        value = row[c] + units[c] if units[c] and _NUMBER.match(row[c]) else row[c]
        label = _strip_unit(labels[c])
        cells.append(f"{label}: {value}" if label and label != value else value)
        values.append(value)
    return TableRow(row[0] if first else "", cells, values)


def stated_unit(text: str) -> str:
    """The unit a caption states for a whole table: "[표 1] 손익 (단위: 억 원)" → "억 원"."""
    match = _TABLE_UNIT.search(text)
    return match.group(1).strip() if match else ""


def _unit(label: str) -> str:
    """The unit a column label states: "금액 (단위: 원)" or "인원(명)"."""
    match = _TABLE_UNIT.search(label)
    if match:
        return match.group(1).strip()
    match = _COLUMN_UNIT.search(label)
    if match and _UNIT_WORDS.match(match.group(1).strip()):
        return match.group(1).strip()
    return ""


def _strip_unit(label: str) -> str:
    """A label without its "(단위: …)" part, which the values now carry."""
    return _TABLE_UNIT.sub("", label).strip() or label
