"""A small, deterministic writer of HWP 5.0 binary documents (paragraphs and real tables).

Why: the evaluation corpora need `.hwp` files, and no Python library writes them (olefile can
only read or patch an existing compound file). This module writes the two layers itself:

* the OLE compound file (CFB version 3, 512-byte sectors, mini stream for streams under
  4,096 bytes, a FAT with as many sectors as needed, no DIFAT sectors);
* the HWP streams: `FileHeader` (compressed flag set), `DocInfo` and `BodyText/Section0`
  (raw-deflated record streams) and `PrvText` (UTF-16 preview text).

`DocInfo` (fonts, char/para shapes, styles, border fills) and the section's first-paragraph
controls (`secd` page definition, `cold` columns) are copied from a Hancom-written file
(templates/hwp_docinfo.bin, templates/hwp_section_controls.bin), the same approach samples/ takes
for HWPX's header.xml. Body paragraphs refer to shape ids that exist in that DocInfo.
Tables are real HWP tables: a `tbl ` control with a TABLE record and one LIST_HEADER per cell
carrying its row/column address, as Hancom writes them. Layout caches (PARA_LINE_SEG) hold one
placeholder line; Hancom recomputes layout when it opens the file.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"

# --- HWP record layer -------------------------------------------------------------------------

_PARA_HEADER, _PARA_TEXT, _PARA_CHAR_SHAPE, _PARA_LINE_SEG = 66, 67, 68, 69
_CTRL_HEADER, _LIST_HEADER, _TABLE = 71, 72, 77
_LAST_IN_LIST = 0x80000000
_BODY_PARA_SHAPE, _CELL_PARA_SHAPE = 3, 12  # ids present in templates/hwp_docinfo.bin
_BORDER_FILL = 3
_TEXT_WIDTH = 42000  # HWPUNIT, about the A4 text width
_ROW_HEIGHT = 1800
_LINE_SEG = bytes.fromhex(
    "0000000000000000e8030000e80300005203000058020000000000006c13000000000600"
)
_HWP_VERSION = 0x05000500  # 5.0.5.0, as in current Hancom files


@dataclass(frozen=True)
class HwpTable:
    """A table given as rows of cell strings; rows[0] is the header row."""

    rows: Sequence[Sequence[str]]


HwpBlock = str | HwpTable


def _record(tag: int, level: int, data: bytes) -> bytes:
    size = len(data)
    if size >= 0xFFF:
        return struct.pack("<II", tag | (level << 10) | (0xFFF << 20), size) + data
    return struct.pack("<I", tag | (level << 10) | (size << 20)) + data


def _para_header(n_chars: int, control_mask: int, para_shape: int, last: bool) -> bytes:
    n = n_chars | (_LAST_IN_LIST if last else 0)
    # nChars, controlMask, paraShape, style, break, nCharShapes, nRangeTags, nLineSegs, id, merge
    return struct.pack("<IIHBBHHHIH", n, control_mask, para_shape, 0, 0, 1, 0, 1, 0, 0)


def _paragraph(text: str, level: int, para_shape: int, last: bool) -> bytes:
    """One text paragraph: header, UTF-16 text ending with the paragraph mark, shapes."""
    units = text.replace("\r", "").replace("\n", " ").encode("utf-16-le") + b"\x0d\x00"
    n_chars = len(units) // 2
    out = _record(_PARA_HEADER, level, _para_header(n_chars, 0, para_shape, last))
    out += _record(_PARA_TEXT, level + 1, units)
    out += _record(_PARA_CHAR_SHAPE, level + 1, struct.pack("<II", 0, 0))
    out += _record(_PARA_LINE_SEG, level + 1, _LINE_SEG)
    return out


def _control_char(code: int, ctrl_id: bytes) -> bytes:
    """An extended control placeholder: code, 4-byte id (stored reversed), 8 zero bytes, code."""
    return struct.pack("<H", code) + ctrl_id[::-1] + b"\x00" * 8 + struct.pack("<H", code)


def _first_paragraph(text: str, last: bool) -> bytes:
    """The section's first paragraph: it owns the page (`secd`) and column (`cold`) controls."""
    body = text.replace("\n", " ").encode("utf-16-le")
    units = _control_char(2, b"secd") + _control_char(2, b"cold") + body + b"\x0d\x00"
    head = _para_header(len(units) // 2, 1 << 2, _BODY_PARA_SHAPE, last)
    out = _record(_PARA_HEADER, 0, head)
    out += _record(_PARA_TEXT, 1, units)
    out += _record(_PARA_CHAR_SHAPE, 1, struct.pack("<II", 0, 0))
    out += _record(_PARA_LINE_SEG, 1, _LINE_SEG)
    return out + (TEMPLATES / "hwp_section_controls.bin").read_bytes()


def _cell_list_header(row: int, col: int, width: int) -> bytes:
    """LIST_HEADER of one cell: paragraph count, list flags, then the cell's address and size."""
    head = struct.pack("<HHI", 1, 0, 0x05000020)
    cell = struct.pack("<HHHHII", col, row, 1, 1, width, _ROW_HEIGHT)
    cell += struct.pack("<HHHHH", 510, 510, 141, 141, _BORDER_FILL)
    return head + cell + struct.pack("<I", width) + b"\x00" * 9


def _table_paragraph(table: HwpTable, last: bool) -> bytes:
    """A paragraph holding one table control, with every cell's text as a nested paragraph."""
    rows = [[str(c) for c in row] for row in table.rows]
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    col_w = _TEXT_WIDTH // n_cols
    units = _control_char(11, b"tbl ") + b"\x0d\x00"
    out = _record(_PARA_HEADER, 0, _para_header(len(units) // 2, 1 << 11, _BODY_PARA_SHAPE, last))
    out += _record(_PARA_TEXT, 1, units)
    out += _record(_PARA_CHAR_SHAPE, 1, struct.pack("<II", 0, 0))
    out += _record(_PARA_LINE_SEG, 1, _LINE_SEG)
    ctrl = b"tbl "[::-1] + struct.pack(
        "<IiiIIiHHHHIiH",
        0x082A2210,
        0,
        0,
        col_w * n_cols,
        _ROW_HEIGHT * n_rows,
        0,
        283,
        283,
        283,
        283,
        0,
        0,
        0,
    )
    out += _record(_CTRL_HEADER, 1, ctrl)
    tbl = struct.pack("<IHHH", 0x04000006, n_rows, n_cols, 0) + struct.pack(
        "<HHHH", 510, 510, 141, 141
    )
    tbl += b"".join(struct.pack("<H", n_cols) for _ in rows) + struct.pack("<HH", _BORDER_FILL, 0)
    out += _record(_TABLE, 2, tbl)
    for r, row in enumerate(rows):
        for c in range(n_cols):
            out += _record(_LIST_HEADER, 2, _cell_list_header(r, c, col_w))
            out += _paragraph(row[c] if c < len(row) else "", 2, _CELL_PARA_SHAPE, True)
    return out


def section_stream(blocks: Sequence[HwpBlock]) -> bytes:
    """The uncompressed BodyText/Section0 record stream for `blocks`."""
    if not blocks:
        raise ValueError("an HWP section needs at least one block")
    first = blocks[0]
    head_text = first if isinstance(first, str) else ""
    rest = list(blocks[1:]) if isinstance(first, str) else list(blocks)
    out = _first_paragraph(head_text, last=not rest)
    for i, block in enumerate(rest):
        last = i == len(rest) - 1
        if isinstance(block, HwpTable):
            out += _table_paragraph(block, last)
        else:
            out += _paragraph(block, 0, _BODY_PARA_SHAPE, last)
    return out


def preview_text(blocks: Sequence[HwpBlock]) -> str:
    """PrvText as Hancom writes it: paragraphs on lines, table cells as <cell> runs."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, HwpTable):
            lines += ["".join(f"<{c}>" for c in row) for row in block.rows]
        else:
            lines.append(block)
    return "\r\n".join(lines)[:1023]


def _file_header() -> bytes:
    sig = b"HWP Document File".ljust(32, b"\x00")
    # version, flags (bit 0: streams compressed), license, encrypt version, KOGL
    return (sig + struct.pack("<IIIIB", _HWP_VERSION, 1, 0, 4, 0)).ljust(256, b"\x00")


def _deflate(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()


def hwp_bytes(blocks: Sequence[HwpBlock]) -> bytes:
    """A complete .hwp file (bytes) with `blocks` as its only section."""
    streams = {
        "FileHeader": _file_header(),
        "DocInfo": _deflate((TEMPLATES / "hwp_docinfo.bin").read_bytes()),
        "BodyText/Section0": _deflate(section_stream(blocks)),
        "PrvText": preview_text(blocks).encode("utf-16-le"),
    }
    return cfb_bytes(streams)


def write_hwp(path: Path, blocks: Sequence[HwpBlock]) -> None:
    """Write `blocks` (paragraph strings and HwpTable) as an HWP 5.0 file at `path`."""
    path.write_bytes(hwp_bytes(blocks))


# --- compound file (CFB v3) layer -------------------------------------------------------------

_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] | None = None
    start: int = _END
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM


def _entries(streams: dict[str, bytes]) -> list[_Entry]:
    """Directory entries (root first) for `streams`, keyed by 'Storage/Stream' paths."""
    entries = [_Entry("Root Entry", 5, children=[])]
    storages: dict[str, int] = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        parent = ""
        for depth, part in enumerate(parts):
            key = "/".join(parts[: depth + 1])
            if depth < len(parts) - 1 and key not in storages:
                entries.append(_Entry(part, 1, children=[]))
                storages[key] = len(entries) - 1
                children = entries[storages[parent]].children
                assert children is not None
                children.append(storages[key])
            parent = key if depth < len(parts) - 1 else parent
        entries.append(_Entry(parts[-1], 2, data=streams[path]))
        children = entries[storages[parent]].children
        assert children is not None
        children.append(len(entries) - 1)
    for entry in entries:
        if entry.children:
            entry.child = _tree(entries, entry.children)
    return entries


def _tree(entries: list[_Entry], ids: list[int]) -> int:
    """A balanced binary search tree of siblings, ordered as CFB compares names."""
    ordered = sorted(ids, key=lambda i: (len(entries[i].name), entries[i].name.upper()))

    def build(lo: int, hi: int) -> int:
        if lo >= hi:
            return _NOSTREAM
        mid = (lo + hi) // 2
        node = entries[ordered[mid]]
        node.left, node.right = build(lo, mid), build(mid + 1, hi)
        return ordered[mid]

    return build(0, len(ordered))


def _chain(fat: list[int], start: int, count: int) -> None:
    for k in range(count):
        fat[start + k] = start + k + 1 if k < count - 1 else _END


def _dir_entry(entry: _Entry) -> bytes:
    """One 128-byte directory entry; an unnamed entry is an unused slot."""
    name = entry.name.encode("utf-16-le") + b"\x00\x00" if entry.name else b""
    size = len(entry.data) if entry.kind in (2, 5) else 0
    start = entry.start if entry.kind in (2, 5) else 0
    return (
        name.ljust(64, b"\x00")
        + struct.pack(
            "<HBB3I",
            len(name),
            entry.kind,
            1 if entry.name else 0,
            entry.left,
            entry.right,
            entry.child,
        )
        + b"\x00" * 36
        + struct.pack("<IQ", start, size)
    )


def _pad(data: bytes, unit: int) -> bytes:
    return data + b"\x00" * (-len(data) % unit)


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams` ('Storage/Name' → bytes); deterministic, no times."""
    entries = _entries(streams)
    mini = b""
    minifat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        if len(entry.data) < _CUTOFF:
            entry.start = len(mini) // _MINI if entry.data else _END
            n = -(-len(entry.data) // _MINI)
            minifat += [len(minifat) + k + 1 if k < n - 1 else _END for k in range(n)]
            mini += _pad(entry.data, _MINI)
        else:
            big.append(entry)
    entries[0].data = mini
    while len(entries) % 4:
        entries.append(_Entry("", 0))
    dir_n = len(entries) // 4
    minifat_n = -(-len(minifat) * 4 // _SECTOR)
    mini_n = -(-len(mini) // _SECTOR)
    big_n = sum(-(-len(e.data) // _SECTOR) for e in big)
    other = dir_n + minifat_n + mini_n + big_n
    fat_n = 1
    while fat_n * 128 < other + fat_n:
        fat_n += 1
    if fat_n > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat = [_FREE] * (fat_n * 128)
    for k in range(fat_n):
        fat[k] = _FATSECT
    dir_start = fat_n
    _chain(fat, dir_start, dir_n)
    minifat_start = dir_start + dir_n
    _chain(fat, minifat_start, minifat_n)
    mini_start = minifat_start + minifat_n
    _chain(fat, mini_start, mini_n)
    entries[0].start = mini_start if mini_n else _END
    pos = mini_start + mini_n
    body = b""
    for entry in big:
        n = -(-len(entry.data) // _SECTOR)
        entry.start = pos
        _chain(fat, pos, n)
        pos += n
        body += _pad(entry.data, _SECTOR)
    header = _cfb_header(fat_n, dir_start, minifat_start if minifat_n else _END, minifat_n)
    tail = [_FREE] * ((-len(minifat)) % 128)
    minifat_bytes = struct.pack(f"<{len(minifat) + len(tail)}I", *minifat, *tail)
    return (
        header
        + struct.pack(f"<{len(fat)}I", *fat)
        + b"".join(_dir_entry(e) for e in entries)
        + minifat_bytes
        + _pad(mini, _SECTOR)
        + body
    )


def _cfb_header(fat_n: int, dir_start: int, minifat_start: int, minifat_n: int) -> bytes:
    head = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
    head += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    head += struct.pack(
        "<IIIIIIIII", 0, fat_n, dir_start, 0, _CUTOFF, minifat_start, minifat_n, _END, 0
    )
    difat = list(range(fat_n)) + [_FREE] * (109 - fat_n)
    return head + struct.pack("<109I", *difat)
