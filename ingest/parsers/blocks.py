"""Block model shared by the HWP and HWPX readers, and its conversion to Elements.

Hangul documents use tables for layout as much as for data: a one-column table is usually a
boxed summary, so its paragraphs are emitted as text rather than as a one-column "table".
Tables with two or more columns become table elements (ingest/parsers/tables.py: the text just
above a table is its caption, read for a stated unit); a table nested in a cell is flattened into
that cell's text. Footnotes follow the block that cites them so a chunk keeps them nearby.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.elements import Element
from ingest.parsers.normalize import clean_text
from ingest.parsers.tables import Cell, build_table, table_element


@dataclass
class Para:
    text: str


@dataclass
class Note:
    """A footnote or endnote; `label` says which, in the document's language."""

    label: str
    text: str


@dataclass
class TableCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Table:
    cells: list[TableCell] = field(default_factory=list)


Block = Para | Note | Table


def to_elements(blocks: list[Block]) -> list[Element]:
    out: list[Element] = []
    _emit(blocks, out)
    return out


def _emit(blocks: list[Block], out: list[Element]) -> None:
    for block in blocks:
        if isinstance(block, Para):
            text = clean_text(block.text)
            if text:
                out.append(Element(kind="text", text=text))
        elif isinstance(block, Note):
            text = clean_text(block.text)
            if text:
                out.append(Element(kind="text", text=f"[{block.label}] {text}"))
        else:
            _emit_table(block, out)


def _emit_table(table: Table, out: list[Element]) -> None:
    caption = out[-1].text if out and out[-1].kind == "text" else ""
    built = build_table(
        (Cell(c.row, c.col, flat_text(c.blocks), c.rowspan, c.colspan) for c in table.cells),
        caption,
    )
    if built is None:
        return
    ordered = sorted(table.cells, key=lambda c: (c.row, c.col))
    if built.width < 2:
        for cell in ordered:
            _emit(cell.blocks, out)
        return
    out.append(table_element(built))
    notes: list[Block] = [b for cell in ordered for b in _notes(cell.blocks)]
    _emit(notes, out)


def flat_text(blocks: list[Block]) -> str:
    """Everything a cell holds on one line; notes are left for after the table."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Para):
            parts.append(block.text)
        elif isinstance(block, Table):
            rows: dict[int, list[str]] = {}
            for cell in sorted(block.cells, key=lambda c: (c.row, c.col)):
                text = clean_text(flat_text(cell.blocks))
                if text:
                    rows.setdefault(cell.row, []).append(text)
            parts.append(" / ".join(" ".join(row) for row in rows.values()))
    return clean_text(" ".join(parts))


def _notes(blocks: list[Block]) -> list[Note]:
    found: list[Note] = []
    for block in blocks:
        if isinstance(block, Note):
            found.append(block)
        elif isinstance(block, Table):
            for cell in block.cells:
                found.extend(_notes(cell.blocks))
    return found
