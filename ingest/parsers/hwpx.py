"""HWPX (OWPML: a ZIP of XML parts) read directly from Contents/section*.xml.

Read directly rather than through hwp_hwpx_parser because that library drops cell addresses
(merged cells shift columns), orders section10 before section2 and inlines tables into one
string. Section order comes from the package's spine (Contents/content.hpf) when present and
from the section numbers otherwise, so packages without META-INF/manifest.xml still read.
Headers, footers, master pages, images and their alt-text placeholders ("그림입니다.") are
skipped; text boxes, captions and footnotes are kept.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from ingest.elements import CorruptFile, Element, EmptyDocument, EncryptedFile
from ingest.parsers.blocks import Block, Note, Para, Table, TableCell, to_elements

_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")
_MAX_PART_BYTES = 256 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# Children of hp:run that never carry body text.
_SKIPPED = frozenset(
    {"secPr", "pic", "ole", "equation", "chart", "video", "shapeComment", "linesegarray"}
)
_NOTES = {"footNote": "각주", "endNote": "미주"}
_INLINE = {"tab": "\t", "lineBreak": "\n", "hyphen": "-", "nbSpace": "\u00a0", "fwSpace": " "}


def parse_hwpx(path: Path) -> list[Element]:
    """Elements of an HWPX document; raises EncryptedFile, CorruptFile or EmptyDocument."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if _is_encrypted(zf, names):
                raise EncryptedFile(
                    f"'{name}' 파일은 암호가 걸려 있거나 배포용으로 보호된 한글 문서라 읽을 수 "
                    "없습니다. 보호를 해제한 뒤 다시 올려 주세요."
                )
            blocks: list[Block] = []
            for part in _section_parts(zf, names):
                info = zf.getinfo(part)
                if info.file_size > _MAX_PART_BYTES:
                    raise CorruptFile(f"'{name}' 파일의 본문({part})이 비정상적으로 큽니다.")
                root = etree.fromstring(zf.read(part), _PARSER)
                blocks.extend(_container(root))
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, EOFError, OSError) as exc:
        raise CorruptFile(f"'{name}' 파일이 손상되어 읽을 수 없습니다 (HWPX: {exc}).") from exc
    elements = to_elements(blocks)
    if not elements:
        raise EmptyDocument(f"'{name}' 문서에 읽을 수 있는 본문 텍스트가 없습니다.")
    return elements


def _is_encrypted(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if "META-INF/manifest.xml" not in names:
        return False
    return b"encryption-data" in zf.read("META-INF/manifest.xml").lower()


def _section_parts(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    numbered = sorted((int(m.group(1)), n) for n in names if (m := _SECTION.match(n)) is not None)
    fallback = [n for _, n in numbered]
    if "Contents/content.hpf" not in names:
        return fallback
    try:
        root = etree.fromstring(zf.read("Contents/content.hpf"), _PARSER)
    except etree.XMLSyntaxError:
        return fallback
    hrefs = {
        item.get("id"): item.get("href", "")
        for item in root.iter()
        if isinstance(item.tag, str) and _local(item.tag) == "item"
    }
    spine = [
        hrefs.get(ref.get("idref"), "")
        for ref in root.iter()
        if isinstance(ref.tag, str) and _local(ref.tag) == "itemref"
    ]
    ordered = [h for h in spine if _SECTION.match(h) and h in names]
    # A spine that misses sections (hand-made packages) must not hide them.
    return ordered + [n for n in fallback if n not in ordered]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _container(parent: etree._Element) -> list[Block]:
    """Blocks of the paragraphs directly under a section or an hp:subList."""
    blocks: list[Block] = []
    for child in parent:
        if isinstance(child.tag, str) and _local(child.tag) == "p":
            blocks.extend(_paragraph(child))
    return blocks


def _paragraph(p: etree._Element) -> list[Block]:
    blocks: list[Block] = []
    notes: list[Block] = []
    text: list[str] = []

    def flush() -> None:
        if "".join(text).strip():
            blocks.append(Para("".join(text)))
        text.clear()

    for run in p:
        if not isinstance(run.tag, str) or _local(run.tag) != "run":
            continue
        for child in _children(run):
            tag = _local(child.tag)
            if tag == "t":
                text.append(_t_text(child))
            elif tag == "tbl":
                flush()
                blocks.extend(_table(child))
            elif tag == "ctrl":
                notes.extend(_ctrl_notes(child))
            elif tag not in _SKIPPED:
                shapes = _shape_text(child)
                if shapes:
                    flush()
                    blocks.extend(shapes)
    flush()
    return blocks + notes


def _children(element: etree._Element) -> list[etree._Element]:
    """Element children, with each hp:switch replaced by the children of one branch.

    Newer Hancom versions wrap objects in hp:switch/hp:case/hp:default alternatives that hold
    the same content twice; reading every branch would duplicate it.
    """
    out: list[etree._Element] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if _local(child.tag) != "switch":
            out.append(child)
            continue
        branches = [b for b in child if isinstance(b.tag, str)]
        chosen = next((b for b in branches if _local(b.tag) == "default"), None)
        chosen = chosen if chosen is not None else (branches[0] if branches else None)
        if chosen is not None:
            out.extend(_children(chosen))
    return out


def _t_text(t: etree._Element) -> str:
    parts = [t.text or ""]
    for child in t:
        if isinstance(child.tag, str):
            parts.append(_INLINE.get(_local(child.tag), ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _ctrl_notes(ctrl: etree._Element) -> list[Block]:
    notes: list[Block] = []
    for child in ctrl:
        if isinstance(child.tag, str) and _local(child.tag) in _NOTES:
            body = [b for sub in _sublists(child) for b in _container(sub)]
            text = " ".join(b.text for b in body if isinstance(b, Para))
            notes.append(Note(_NOTES[_local(child.tag)], text))
    return notes


def _sublists(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and _local(c.tag) == "subList"]


def _shape_text(shape: etree._Element) -> list[Block]:
    """Text boxes (hp:drawText) inside a drawing object or a group of them."""
    blocks: list[Block] = []
    for child in _children(shape):
        tag = _local(child.tag)
        if tag == "drawText":
            for sub in _sublists(child):
                blocks.extend(_container(sub))
        elif tag == "tbl":
            blocks.extend(_table(child))
        elif tag not in _SKIPPED:
            blocks.extend(_shape_text(child))
    return blocks


def _table(tbl: etree._Element) -> list[Block]:
    blocks: list[Block] = []
    table = Table()
    next_row = 0
    for child in tbl:
        if not isinstance(child.tag, str):
            continue
        tag = _local(child.tag)
        if tag == "caption":
            for sub in _sublists(child):
                blocks.extend(_container(sub))
        elif tag == "tr":
            next_col = 0
            for tc in child:
                if isinstance(tc.tag, str) and _local(tc.tag) == "tc":
                    cell = _cell(tc, next_row, next_col)
                    table.cells.append(cell)
                    next_col = cell.col + cell.colspan
            next_row += 1
    blocks.append(table)
    return blocks


def _cell(tc: etree._Element, row: int, col: int) -> TableCell:
    rowspan = colspan = 1
    blocks: list[Block] = []
    for child in tc:
        if not isinstance(child.tag, str):
            continue
        tag = _local(child.tag)
        if tag == "cellAddr":
            col = _int(child.get("colAddr"), col)
            row = _int(child.get("rowAddr"), row)
        elif tag == "cellSpan":
            colspan = max(1, _int(child.get("colSpan"), 1))
            rowspan = max(1, _int(child.get("rowSpan"), 1))
        elif tag == "subList":
            blocks.extend(_container(child))
    return TableCell(row, col, rowspan, colspan, blocks)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
