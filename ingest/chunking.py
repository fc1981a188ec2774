"""Structure-aware Korean chunking: section paths from headings, whole tables, sentence boundaries.

Every chunk carries the section path it sits under and the pages it spans, so a citation can
say "제3조 (연차휴가), p.2". Long text is split at Kiwi sentence boundaries, long tables by rows
with the header row repeated, both within a token budget measured by the embedding model's
own tokenizer. Tables are chunked from their structure (ingest.tables), not their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.elements import Element
from ingest.tables import Table, TableLines, TableRow, join_row, linearise
from retrieval.korean import split_sentences

TokenCounter = Callable[[str], int]

# Korean statute-style and outline headings, most significant first. Only short lines that do
# not read like a sentence are treated as headings, so "1. 연차는 15일이다." stays body text.
_HEADING_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^제\s*\d+\s*편"), 1),
    (re.compile(r"^제\s*\d+\s*장"), 1),
    (re.compile(r"^제\s*\d+\s*절"), 2),
    (re.compile(r"^제\s*\d+\s*조(의\s*\d+)?\s*[\(（]"), 3),
    (re.compile(r"^제\s*\d+\s*조(의\s*\d+)?\s*$"), 3),
    (re.compile(r"^[IVX]+\.\s"), 2),
    (re.compile(r"^\d+\.\s*\S"), 4),
    (re.compile(r"^[가-하]\.\s*\S"), 5),
)
_MAX_HEADING_CHARS = 40
_SENTENCE_END = re.compile(r"(다|요|음|함|됨|임)[.!?]?\s*$")


@dataclass
class Chunk:
    text: str
    section_path: list[str]
    pages: list[int] = field(default_factory=list)
    kind: str = "text"
    sheet: str | None = None
    search_text: str = ""
    """What search embeds and BM25-weighs when it differs from `text` (tables: unlabelled)."""
    ocr_confidence: float | None = None
    """The lowest OCR confidence (0-100) of its text when any of it was read by OCR."""


_ARTICLE_WITH_BODY = re.compile(
    r"^(제\s*\d+\s*조(?:의\s*\d+)?\s*[\(（][^\)）]{1,30}[\)）])\s*(\S.*)$", re.S
)


def split_heading(element: Element) -> tuple[int, str, str] | None:
    """(level, heading, body after it) when the element opens a section, else None.

    Statute articles often put the article title and its first sentence on one line
    ("제5조 (연차휴가) 회사는 …"): the title becomes the heading and the rest stays body text.
    """
    text = element.text.strip()
    if element.kind in ("text", "list_item", "title"):
        article = _ARTICLE_WITH_BODY.match(text)
        if article:
            return 3, article.group(1), article.group(2).strip()
    if element.kind == "title":
        for pattern, level in _HEADING_PATTERNS:
            if pattern.match(text):
                return level, text, ""
        return element.level or 1, text, ""
    if element.kind not in ("text", "list_item"):
        return None
    if len(text) > _MAX_HEADING_CHARS or "\n" in text:
        return None
    for pattern, level in _HEADING_PATTERNS:
        if pattern.match(text) and (level <= 3 or not _SENTENCE_END.search(text)):
            return level, text, ""
    return None


class _Builder:
    def __init__(self, count: TokenCounter, budget: int, overlap_sentences: int) -> None:
        self.count = count
        self.budget = budget
        self.overlap_sentences = overlap_sentences
        self.chunks: list[Chunk] = []
        self._parts: list[str] = []
        self._pages: set[int] = set()
        self._tokens = 0
        self._path: list[str] = []
        self._ocr: float | None = None

    def set_path(self, path: list[str]) -> None:
        self.flush()
        self._path = list(path)

    def add_text(self, text: str, page: int | None, ocr: float | None = None) -> None:
        tokens = self.count(text)
        if tokens > self.budget:
            for sentence in _fit_sentences(text, self.count, self.budget):
                self.add_text(sentence, page, ocr)
            return
        if self._tokens + tokens > self.budget and self._parts:
            tail, tail_ocr = self._overlap_tail(), self._ocr
            self.flush()
            if tail:
                self._parts, self._tokens, self._ocr = [tail], self.count(tail), tail_ocr
        self._parts.append(text)
        self._tokens += tokens
        if page is not None:
            self._pages.add(page)
        if ocr is not None:
            self._ocr = ocr if self._ocr is None else min(self._ocr, ocr)

    def add_table(self, table: Table, page: int | None, sheet: str | None) -> None:
        """The whole table when it fits; else pieces of whole rows, each under the table's
        heading (caption and column names); a row too long on its own is cut between cells,
        each part keeping the row header. Each chunk's search text is the same rows unlabelled
        (ingest.tables.TableLines) under the sheet's name."""
        self.flush()
        pages = [page] if page is not None else []
        lines = linearise(table)
        heading = [lines.heading] if lines.heading else []

        def emit(rows: list[tuple[str, str]]) -> None:
            text = "\n".join([*heading, *(line for line, _ in rows)])
            # A sheet's name ("경조금") is its heading: searched, though not a section.
            named = [sheet, *heading] if sheet else heading
            search = "\n".join([*named, *(plain for _, plain in rows)])
            self.chunks.append(Chunk(text, list(self._path), pages, "table", sheet, search))

        current: list[tuple[str, str]] = []
        for row in self._row_lines(lines):
            candidate = [*heading, *(line for line, _ in current), row[0]]
            if current and self.count("\n".join(candidate)) > self.budget:
                emit(current)
                current = []
            current.append(row)
        if current:
            emit(current)

    def _row_lines(self, lines: TableLines) -> list[tuple[str, str]]:
        """(labelled line, unlabelled line) per row, or per part of a row cut to fit."""
        out: list[tuple[str, str]] = []
        room = self.budget - (self.count(lines.heading) if lines.heading else 0)
        for row in lines.rows:
            start = 0
            for end in range(1, len(row.cells) + 1):
                part = row.cells[start:end]
                if end - start > 1 and self.count(join_row(row.prefix, part)) > room:
                    out.append(_row_pair(row, start, end - 1))
                    start = end - 1
            out.append(_row_pair(row, start, len(row.cells)))
        return out

    def flush(self) -> None:
        text = "\n".join(p for p in self._parts if p.strip())
        if text.strip():
            chunk = Chunk(text, list(self._path), sorted(self._pages), ocr_confidence=self._ocr)
            self.chunks.append(chunk)
        self._parts, self._pages, self._tokens, self._ocr = [], set(), 0, None

    def _overlap_tail(self) -> str:
        if self.overlap_sentences <= 0 or not self._parts:
            return ""
        sentences = split_sentences(self._parts[-1])
        tail = " ".join(sentences[-self.overlap_sentences :])
        return tail if self.count(tail) < self.budget // 3 else ""


def _row_pair(row: TableRow, start: int, end: int) -> tuple[str, str]:
    return (
        join_row(row.prefix, row.cells[start:end]),
        join_row(row.prefix, row.values[start:end]),
    )


def _fit_sentences(text: str, count: TokenCounter, budget: int) -> list[str]:
    """Sentences of an over-long block; a single sentence over budget is cut by characters."""
    pieces: list[str] = []
    for sentence in split_sentences(text) or [text]:
        if count(sentence) <= budget:
            pieces.append(sentence)
            continue
        step = max(1, len(sentence) * budget // max(count(sentence), 1))
        pieces.extend(sentence[i : i + step] for i in range(0, len(sentence), step))
    return pieces


def chunk_elements(
    elements: Sequence[Element],
    count_tokens: TokenCounter,
    budget: int = 256,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    builder = _Builder(count_tokens, budget, overlap_sentences)
    path: list[tuple[int, str]] = []
    for element in elements:
        text = element.text.strip()
        if not text:
            continue
        heading = split_heading(element)
        if heading is not None:
            level, title, text = heading
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            builder.set_path([t for _, t in path])
            if not text:
                continue
        if element.kind == "table" and element.table is not None:
            builder.add_table(element.table, element.page, element.sheet)
        else:
            builder.add_text(text, element.page, element.ocr_confidence)
    builder.flush()
    return builder.chunks
