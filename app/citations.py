"""[n] markers in the model's answer, validated against the passages it was actually given."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.prompt import Passage
from retrieval.korean import content_terms, split_lines_and_sentences

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,，]\s*\d+)*)\]")
_ONLY_MARKERS = re.compile(r"^(\s*\[\d+(?:\s*[,，]\s*\d+)*\])+[.。]?\s*$")


@dataclass(frozen=True)
class Citation:
    number: int
    chunk_id: str
    document_id: str
    document: str
    source_uri: str
    page: int | None
    sheet: str | None
    place: str
    """"p.3", "슬라이드 2" or "시트 매출": the location as the reader finds it in the file."""
    section: str
    snippet: str
    """The passage sentence(s) that best support the answer sentences citing it."""
    ocr: bool = False
    """The passage was read by OCR from a scan or photo: the reader should check the image."""


def markers_in(text: str) -> list[int]:
    numbers: list[int] = []
    for match in _MARKER.finditer(text):
        for part in re.split(r"[,，]", match.group(1)):
            if int(part) not in numbers:
                numbers.append(int(part))
    return numbers


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def clean_markers(text: str, valid: set[int]) -> str:
    """Drop markers that point at no passage; write the rest as [1][2]."""

    def repl(match: re.Match[str]) -> str:
        kept = [n for n in (int(p) for p in re.split(r"[,，]", match.group(1))) if n in valid]
        return "".join(f"[{n}]" for n in kept)

    return _MARKER.sub(repl, text).strip()


def answer_sentences(answer: str) -> list[str]:
    """Sentences (a line break ends one) with their trailing markers kept attached ("…입니다.
    [1]" is one sentence)."""
    sentences: list[str] = []
    for sentence in split_lines_and_sentences(answer):
        if sentences and _ONLY_MARKERS.match(sentence):
            sentences[-1] = f"{sentences[-1]} {sentence.strip()}"
        else:
            sentences.append(sentence)
    return sentences


def with_markers(text: str, settled: Sequence[list[int] | None]) -> str:
    """The answer with each sentence's markers replaced by its settled list (the checker's
    corrected citation); None, or the same list, keeps the sentence as written."""
    sentences = answer_sentences(text)
    changed = [
        m is not None and m != markers_in(raw) for raw, m in zip(sentences, settled, strict=True)
    ]
    if not any(changed):
        return text
    return " ".join(
        f"{strip_markers(raw)} {''.join(f'[{n}]' for n in m or [])}" if change else raw
        for raw, m, change in zip(sentences, settled, changed, strict=True)
    )


def without_sentences(text: str, hidden: Sequence[bool], note: str) -> str:
    """The answer without the hidden sentences, and the note saying so."""
    kept = [raw for raw, hide in zip(answer_sentences(text), hidden, strict=True) if not hide]
    return " ".join([*kept, note]).strip()


def best_sentences(claim: str, passage_text: str, top: int = 1) -> list[str]:
    """Passage sentences ranked by content-morpheme overlap with the claim."""
    claim_terms = set(content_terms(claim))
    scored = []
    for sentence in split_lines_and_sentences(passage_text):
        terms = set(content_terms(sentence))
        overlap = len(claim_terms & terms) / (len(claim_terms) or 1)
        scored.append((overlap, sentence))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [sentence for _, sentence in scored[:top]]


def resolve_citations(answer: str, passages: Sequence[Passage]) -> tuple[str, list[Citation]]:
    """The answer with invalid markers removed, and one citation per passage it cites."""
    by_number = {p.number: p for p in passages}
    cleaned = clean_markers(answer, set(by_number))
    claims: dict[int, list[str]] = {}
    for sentence in answer_sentences(cleaned):
        for number in markers_in(sentence):
            claims.setdefault(number, []).append(strip_markers(sentence))
    citations = []
    for number in markers_in(cleaned):
        passage = by_number[number]
        snippet = " ".join(best_sentences(" ".join(claims.get(number, [])), passage.text))
        payload = passage.payload
        citations.append(
            Citation(
                number=number,
                chunk_id=passage.chunk_id,
                document_id=str(payload.get("document_id", "")),
                document=passage.document,
                source_uri=str(payload.get("source_uri", "")),
                page=payload.get("page"),
                sheet=payload.get("sheet"),
                place=passage.place,
                section=str(payload.get("section", "")),
                snippet=snippet or passage.text[:200],
                ocr=bool(payload.get("ocr")),
            )
        )
    return cleaned, citations
