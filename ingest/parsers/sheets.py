"""XLSX workbooks read with openpyxl: one table per worksheet, merged ranges kept.

Why not unstructured's partition_xlsx (still used for legacy .xls): it goes through pandas,
which keeps a merged range's value in its top-left cell only (a region merged over three grade
rows would name the first row only) and prints 100000 for a cell the sheet shows as
"100,000". Here every cell keeps its merge span, so header rows and row labels are recognised
like any other format's table (ingest/parsers/tables.py), and numbers are written the way the
sheet's number format shows them (thousands separators, decimals, percent, bare dates).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ingest.elements import Element, EmptyDocument
from ingest.parsers.tables import Cell, build_table, table_element

_DECIMALS = re.compile(r"0\.(0+)")


def parse_xlsx(path: Path) -> list[Element]:
    import openpyxl

    # data_only: a formula cell reads as the value Excel last computed and saved. A file
    # object, because openpyxl refuses a path whose extension it does not know (the type was
    # sniffed from the bytes: "보고서.dat" may be a workbook).
    with path.open("rb") as stream:
        book = openpyxl.load_workbook(stream, data_only=True)
    try:
        out: list[Element] = []
        for number, sheet in enumerate(book.worksheets, start=1):
            table = build_table(_cells(sheet))
            if table is not None:
                out.append(table_element(table, page=number, sheet=sheet.title))
    finally:
        book.close()
    if not out:
        raise EmptyDocument(f"'{path.name}' 문서에 읽을 수 있는 텍스트가 없습니다.")
    return out


def _cells(sheet: Any) -> list[Cell]:
    spans = {
        (r.min_row, r.min_col): (r.max_row - r.min_row + 1, r.max_col - r.min_col + 1)
        for r in sheet.merged_cells.ranges
    }
    cells = []
    for row in sheet.iter_rows():
        for cell in row:
            text = _shown(cell.value, cell.number_format or "")
            if text:
                rowspan, colspan = spans.get((cell.row, cell.column), (1, 1))
                cells.append(Cell(cell.row - 1, cell.column - 1, text, rowspan, colspan))
    return cells


def _shown(value: object, number_format: str) -> str:
    """A cell's value as the sheet displays it, near enough for reading and search."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, int | float):
        return _number(value, number_format)
    return str(value)


def _number(value: float, number_format: str) -> str:
    decimals = _DECIMALS.search(number_format)
    places = len(decimals.group(1)) if decimals else None
    if "%" in number_format:
        return f"{value * 100:.{places or 0}f}%"
    grouped = "," if "#,##" in number_format else ""
    if places is not None:
        return f"{value:{grouped}.{places}f}"
    if float(value).is_integer():
        return f"{int(value):{grouped}d}"
    return f"{value:{grouped}}" if grouped else str(value)
