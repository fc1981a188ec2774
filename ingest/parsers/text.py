"""Plain text, Markdown and CSV: decoded here, then classified by unstructured.

Korean text files are UTF-8, UTF-16 (Windows Notepad "Unicode") or CP949/EUC-KR. unstructured
guesses encodings with chardet-like heuristics that can turn CP949 into Latin-1 mojibake, so
bytes are decoded here first: strict UTF-8, then CP949. The order matters: UTF-8 Hangul
bytes also form valid CP949, but CP949 Hangul is almost never valid UTF-8.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

from ingest.elements import Element, EmptyDocument, UnsupportedFileType
from ingest.parsers import offline
from ingest.parsers.unstructured_map import HEURISTIC, SPREADSHEET, STRUCTURED, convert

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# An English line wrapped mid-sentence: ends in a letter or comma, next starts lowercase.
_SOFT_WRAP = re.compile(r"(?<=[A-Za-z,])[ \t]*\n(?=[a-z])")
# Bytes that never occur in text; their presence means a binary file.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


class UndecodableText(UnsupportedFileType):
    """Bytes that are neither UTF-8/16/32 nor CP949."""


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes: BOM, else UTF-16 without BOM, else UTF-8, else CP949.

    Raises UndecodableText rather than guessing, so mojibake never reaches the index.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8")  # a file cut inside its last character
        utf8_error = exc
    # Mostly UTF-8 with a few damaged bytes stays UTF-8: read as CP949 it would be mojibake.
    decoded = data.decode("utf-8", errors="replace")
    damaged = decoded.count("\ufffd")
    non_ascii = sum(1 for ch in decoded if ord(ch) > 127)
    if non_ascii >= 20 and damaged * 20 <= non_ascii:  # CP949 read as UTF-8: ~100%
        return decoded
    try:
        return data.decode("cp949")
    except UnicodeDecodeError as exc:
        if exc.start == len(data) - 1:
            return data[: exc.start].decode("cp949", errors="replace")  # cut mid-character
    raise UndecodableText(
        "텍스트 인코딩을 알 수 없습니다 (UTF-8·UTF-16·CP949(EUC-KR)가 아님). "
        f"UTF-8로 저장한 뒤 다시 올려 주세요. ({utf8_error.reason}, 위치 {utf8_error.start})"
    )


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: spaces, digits and line breaks put a zero byte on one side of
    their code unit, and the text decodes to printable characters."""
    sample = data[: min(len(data), 4096) // 2 * 2]
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    if not sample or max(even_zeros, odd_zeros) == 0:
        return None
    if min(even_zeros, odd_zeros) * 3 > max(even_zeros, odd_zeros):
        return None  # zeros on both sides alike: binary, or UTF-32
    codec = "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
    text = sample.decode(codec, errors="replace")
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return codec if printable >= 0.95 * len(text) else None


def looks_like_text(head: bytes) -> bool:
    """Whether a file's first bytes decode as text without binary control bytes."""
    if any(head.startswith(bom) for bom, _ in _BOMS) or _bomless_utf16(head):
        return True
    if _BINARY_BYTES.search(head):
        return False
    try:
        decode_text(head)
    except UndecodableText:
        return False
    return True


def read_text(path: Path) -> str:
    text = decode_text(path.read_bytes())
    if not text.strip():
        raise EmptyDocument(f"'{path.name}' 파일에 텍스트가 없습니다.")
    return text


def parse_txt(path: Path) -> list[Element]:
    """One element per line: Korean text files rarely hard-wrap, and the chunker needs the
    boundaries ("제3조 ..." on its own line) that unstructured's paragraph grouper merges."""
    offline.configure()
    from unstructured.partition.text import partition_text

    text = _SOFT_WRAP.sub(" ", read_text(path).replace("\r\n", "\n").replace("\r", "\n"))
    return convert(partition_text(text=text, paragraph_grouper=False), path, HEURISTIC)


def parse_md(path: Path) -> list[Element]:
    offline.configure()
    from unstructured.partition.md import partition_md

    return convert(partition_md(text=read_text(path)), path, STRUCTURED)


def parse_csv(path: Path) -> list[Element]:
    """The delimiter (comma, tab, semicolon) is sniffed by unstructured; the first line is
    the header row."""
    offline.configure()
    from unstructured.partition.csv import partition_csv

    data = read_text(path).encode("utf-8")
    return convert(partition_csv(file=io.BytesIO(data), encoding="utf-8"), path, SPREADSHEET)
