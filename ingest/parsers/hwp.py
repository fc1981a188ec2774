"""HWP 5.0 binary documents (OLE2 compound file, BodyText/Section* record streams).

Read directly rather than through hwp_hwpx_parser because that library ignores the
"배포용 문서" (distribution) flag and returns its placeholder sentence as the body, and lays
table cells out by count instead of by their stored row/column address (merged cells shift).

A section stream is a flat list of records (tag, nesting level, payload); the level rebuilds
the tree: a paragraph (PARA_HEADER) owns its text (PARA_TEXT) and its controls (CTRL_HEADER)
in the order their placeholder characters appear in the text. Tables, text boxes, captions
and footnotes are read; headers, footers, master pages, hidden comments and equations are not.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import olefile

from ingest.elements import (
    MAX_UNPACKED_MB,
    CorruptFile,
    Element,
    EmptyDocument,
    EncryptedFile,
    TooLarge,
)
from ingest.parsers.blocks import Block, Note, Para, Table, TableCell, to_elements

_SIGNATURE = b"HWP Document File"
_FLAG_COMPRESSED = 0x01
_FLAG_PASSWORD = 0x02
_FLAG_DISTRIBUTION = 0x04
_FLAG_DRM = 0x10
_FLAG_CERT_ENCRYPTED = 0x100  # encrypted with a public-key certificate
_FLAG_CERT_DRM = 0x400
_PLACEHOLDER = "배포용 문서입니다"

_PARA_HEADER = 66
_PARA_TEXT = 67
_CTRL_HEADER = 71
_LIST_HEADER = 72
_TABLE = 77

# Control characters that occupy 8 UTF-16 units (the character, 6 units of payload, itself again).
_WIDE_CONTROLS = frozenset(
    {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}
)
# Of those, the ones that own a CTRL_HEADER record ("extended" controls).
_EXTENDED_CONTROLS = frozenset({1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23})
_CHAR_MAP = {9: "\t", 10: "\n", 24: "-", 30: "\u00a0", 31: " "}

_NOTES = {"fn  ": "각주", "en  ": "미주"}
_TABLE_ID = "tbl "
_SHAPE_ID = "gso "


@dataclass
class _Record:
    tag: int
    level: int
    data: bytes
    children: list[_Record] = field(default_factory=list)


def parse_hwp(path: Path, max_unpacked_mb: float = MAX_UNPACKED_MB) -> list[Element]:
    """Elements of an HWP 5.0 document; raises EncryptedFile, CorruptFile, EmptyDocument, or
    TooLarge when the sections inflate to more than `max_unpacked_mb` together."""
    name = path.name
    budget = int(max_unpacked_mb * 1_048_576)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            flags = _check_header(ole, name)
            blocks: list[Block] = []
            for stream in _section_streams(ole):
                raw = ole.openstream(stream).read()
                data = _inflate(raw, name, max(budget, 0)) if flags & _FLAG_COMPRESSED else raw
                budget -= len(data)
                blocks.extend(_paragraphs(_tree(data)))
    except (OSError, struct.error, ValueError) as exc:
        raise CorruptFile(f"'{name}' 파일이 손상되어 읽을 수 없습니다 (HWP: {exc}).") from exc
    elements = to_elements(blocks)
    if any(_PLACEHOLDER in e.text for e in elements[:3]) and len(elements) <= 3:
        # An old-format protected file whose header flag was lost: the body is the notice only.
        raise EncryptedFile(_distribution_message(name))
    if not elements:
        raise EmptyDocument(f"'{name}' 문서에 읽을 수 있는 본문 텍스트가 없습니다.")
    return elements


def _check_header(ole: olefile.OleFileIO, name: str) -> int:
    if not ole.exists("FileHeader"):
        raise CorruptFile(f"'{name}' 파일에 HWP 파일 헤더가 없습니다.")
    header = ole.openstream("FileHeader").read(256)
    if not header.startswith(_SIGNATURE) or len(header) < 40:
        raise CorruptFile(f"'{name}' 파일의 HWP 헤더가 올바르지 않습니다.")
    flags: int = struct.unpack_from("<I", header, 36)[0]
    if flags & (_FLAG_DRM | _FLAG_CERT_DRM):
        raise EncryptedFile(
            f"'{name}' 파일은 DRM(문서 보안)으로 보호된 한글 문서라 읽을 수 없습니다. "
            "보안을 해제한 원본을 올려 주세요."
        )
    if flags & (_FLAG_PASSWORD | _FLAG_CERT_ENCRYPTED):
        raise EncryptedFile(
            f"'{name}' 파일은 암호가 걸린 한글 문서라 읽을 수 없습니다. "
            "암호를 해제한 뒤 다시 올려 주세요."
        )
    if flags & _FLAG_DISTRIBUTION or ole.exists("ViewText/Section0"):
        raise EncryptedFile(_distribution_message(name))
    return flags


def _distribution_message(name: str) -> str:
    return (
        f"'{name}' 파일은 배포용(복사·인쇄 제한) 한글 문서라 본문이 암호화되어 있어 읽을 수 "
        "없습니다. 작성자에게 일반 문서로 저장한 파일을 받아 올려 주세요."
    )


def _section_streams(ole: olefile.OleFileIO) -> list[str]:
    numbered: list[tuple[int, str]] = []
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) == 2 and entry[0] == "BodyText" and entry[1].startswith("Section"):
            suffix = entry[1][len("Section") :]
            if suffix.isdigit():
                numbered.append((int(suffix), "/".join(entry)))
    return [stream for _, stream in sorted(numbered)]


def _inflate(raw: bytes, name: str, limit: int) -> bytes:
    """A section stream inflated (raw deflate, or zlib-wrapped in some writers), never past
    `limit` bytes: a small stream that would inflate to gigabytes is refused, not unpacked."""
    for wbits in (-15, 15):
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(raw, limit + 1)
        except zlib.error:
            continue
        if len(data) > limit or inflater.unconsumed_tail:
            raise TooLarge(
                f"'{name}'의 본문은 압축을 풀면 한도({limit / 1_048_576:g} MB)를 넘습니다. "
                "압축 폭탄이거나 비정상적인 문서입니다."
            )
        return data
    raise CorruptFile(f"'{name}' 파일의 본문 압축을 풀 수 없습니다 (손상된 파일).")


def _tree(data: bytes) -> list[_Record]:
    """Rebuild the record tree from the flat stream; returns the top-level records."""
    roots: list[_Record] = []
    stack: list[_Record] = []
    offset, end = 0, len(data)
    while offset + 4 <= end:
        (header,) = struct.unpack_from("<I", data, offset)
        offset += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            if offset + 4 > end:
                break
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        record = _Record(tag, level, data[offset : offset + size])
        offset += size
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def _paragraphs(records: list[_Record]) -> list[Block]:
    blocks: list[Block] = []
    for record in records:
        if record.tag == _PARA_HEADER:
            blocks.extend(_paragraph(record))
    return blocks


def _ctrl_id(record: _Record) -> str:
    return record.data[:4][::-1].decode("latin-1") if len(record.data) >= 4 else ""


def _paragraph(para: _Record) -> list[Block]:
    text_record = next((r for r in para.children if r.tag == _PARA_TEXT), None)
    controls = [r for r in para.children if r.tag == _CTRL_HEADER]
    blocks: list[Block] = []
    notes: list[Block] = []
    text: list[str] = []

    def flush() -> None:
        if "".join(text).strip():
            blocks.append(Para("".join(text)))
        text.clear()

    pieces = _decode_text(text_record.data) if text_record is not None else []
    pending = list(controls)
    for piece in pieces:
        if not isinstance(piece, _ControlRef):
            text.append(piece)
            continue
        control = _take_control(pending, piece)
        if control is None:
            continue
        ctrl_id = _ctrl_id(control)
        if ctrl_id == _TABLE_ID:
            flush()
            blocks.extend(_table(control))
        elif ctrl_id == _SHAPE_ID:
            shapes = _nested_paragraphs(control.children)
            if shapes:
                flush()
                blocks.extend(shapes)
        elif ctrl_id in _NOTES:
            body = _nested_paragraphs(control.children)
            note = " ".join(b.text for b in body if isinstance(b, Para))
            notes.append(Note(_NOTES[ctrl_id], note))
    flush()
    return blocks + notes


def _take_control(pending: list[_Record], ctrl_id: str) -> _Record | None:
    """The CTRL_HEADER a placeholder character stands for: they come in the same order, and
    the placeholder repeats the control's id, which guards against a skipped record."""
    for k, control in enumerate(pending):
        if _ctrl_id(control) == ctrl_id:
            del pending[: k + 1]
            return control
    return pending.pop(0) if pending else None


def _decode_text(data: bytes) -> list[str]:
    """Text runs, with each extended control as a `_ControlRef` holding its 4-character id."""
    units = array("H")
    units.frombytes(data[: len(data) - len(data) % 2])
    if sys.byteorder == "big":
        units.byteswap()
    pieces: list[str] = []
    start = i = 0
    n = len(units)
    positions = [k for k, u in enumerate(units) if u < 32]
    for pos in positions:
        if pos < i:
            continue  # inside the payload of the previous control
        if pos > start:
            pieces.append(data[start * 2 : pos * 2].decode("utf-16-le", "replace"))
        code = units[pos]
        if code in _WIDE_CONTROLS:
            if code in _EXTENDED_CONTROLS:
                raw_id = data[pos * 2 + 2 : pos * 2 + 6]
                pieces.append(_ControlRef(raw_id[::-1].decode("latin-1")))
            elif code == 9:
                pieces.append("\t")
            i = min(pos + 8, n)
        else:
            mapped = _CHAR_MAP.get(code)
            if mapped:
                pieces.append(mapped)
            i = pos + 1
        start = i
    if start < n:
        pieces.append(data[start * 2 : n * 2].decode("utf-16-le", "replace"))
    return pieces


class _ControlRef(str):
    """Marks a control placeholder among the text runs returned by `_decode_text`."""


def _nested_paragraphs(records: list[_Record]) -> list[Block]:
    """Paragraphs anywhere under a drawing object or note, in document order."""
    blocks: list[Block] = []
    for record in records:
        if record.tag == _PARA_HEADER:
            blocks.extend(_paragraph(record))
        elif record.children:
            blocks.extend(_nested_paragraphs(record.children))
    return blocks


def _table(control: _Record) -> list[Block]:
    """A table control: optional caption paragraphs, the TABLE record, then one LIST_HEADER per
    cell followed by that cell's paragraphs (siblings, not children)."""
    blocks: list[Block] = []
    table = Table()
    seen_table = False
    cell: TableCell | None = None
    for record in control.children:
        if record.tag == _TABLE:
            seen_table = True
        elif record.tag == _LIST_HEADER and seen_table:
            cell = _cell(record, len(table.cells))
            table.cells.append(cell)
        elif record.tag == _PARA_HEADER:
            paragraph = _paragraph(record)
            if cell is not None:
                cell.blocks.extend(paragraph)
            else:
                blocks.extend(paragraph)  # caption
    blocks.append(table)
    return blocks


def _cell(record: _Record, index: int) -> TableCell:
    data = record.data
    if len(data) >= 16:
        col, row, colspan, rowspan = struct.unpack_from("<HHHH", data, 8)
        return TableCell(row, col, max(1, rowspan), max(1, colspan))
    return TableCell(index, 0, 1, 1)  # damaged cell header: keep the text, one per row
