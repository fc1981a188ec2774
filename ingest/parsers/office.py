"""Word, PowerPoint, legacy Excel, HTML and e-mail through unstructured's partitioners
(PDF: pdf.py, XLSX: sheets.py)."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.elements import Element, EmptyDocument
from ingest.parsers import offline
from ingest.parsers.tables import source_tables
from ingest.parsers.text import decode_text
from ingest.parsers.unstructured_map import HEURISTIC, SPREADSHEET, STRUCTURED, convert

_LANGUAGES = ["kor", "eng"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def parse_docx(path: Path) -> list[Element]:
    offline.configure()
    from unstructured.partition.docx import partition_docx

    return convert(partition_docx(filename=str(path), languages=_LANGUAGES), path, STRUCTURED)


def parse_pptx(path: Path) -> list[Element]:
    offline.configure()
    from unstructured.partition.pptx import partition_pptx

    items = partition_pptx(filename=str(path), include_slide_notes=True, languages=_LANGUAGES)
    # Text outside title placeholders is classified by the same guesswork as plain text.
    return convert(items, path, HEURISTIC)


def parse_xls(path: Path) -> list[Element]:
    """Legacy .xls (BIFF): one table per sheet through pandas/xlrd. XLSX is read with its
    merged ranges by sheets.py instead.

    find_subtable=False: subtable detection cuts a sheet at blank rows and turns the first
    row of each piece into loose text, so the header row a reader expects would be lost.
    """
    offline.configure()
    from unstructured.partition.xlsx import partition_xlsx

    items = partition_xlsx(filename=str(path), find_subtable=False, include_header=False)
    return convert(items, path, SPREADSHEET)


def parse_html(path: Path) -> list[Element]:
    """unstructured drops rowspan/colspan from HTML tables, so each table it finds is matched
    (by its text) to the source table and laid out from the source's spans."""
    offline.configure()
    from unstructured.partition.html import partition_html

    text = _decode_html(path.read_bytes())
    items = partition_html(text=text, languages=_LANGUAGES)
    return convert(items, path, STRUCTURED, source_tables=source_tables(text))


def _decode_html(data: bytes) -> str:
    """The page's declared charset when it names one Python knows, else UTF-8/CP949."""
    match = _META_CHARSET.search(data[:4096])
    if match:
        charset = match.group(1).decode("ascii", "ignore").lower()
        if charset in ("euc-kr", "ks_c_5601-1987", "ksc5601", "korean"):
            charset = "cp949"  # Windows writes CP949 while declaring EUC-KR
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    return decode_text(data)


def parse_eml(path: Path) -> list[Element]:
    """Body of the message (HTML part preferred) with the subject as its title.

    Attachments are not read here: unstructured would partition them with strategy "auto",
    which reaches for hub models on scanned PDFs; ingest them as files of their own.
    """
    offline.configure()
    from unstructured.partition.email import partition_email

    items = partition_email(filename=str(path), process_attachments=False)
    try:
        elements = convert(items, path, STRUCTURED)
    except EmptyDocument:
        elements = []
    subject = next((i.metadata.subject for i in items if i.metadata.subject), None)
    if subject:
        elements.insert(0, Element(kind="title", text=subject.strip(), level=1))
    if not elements:
        raise EmptyDocument(f"'{path.name}' 메일에 본문이 없습니다.")
    return elements
