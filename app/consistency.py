"""Factual-consistency check: is each answer sentence supported by the passages it cites?

Signals, all offline:
- lexical guard: every number/amount/date value and every proper noun or Latin term in the
  sentence must occur in the cited text (a changed number is the most damaging error);
- content-morpheme overlap (Kiwi) between the sentence and the cited text. Answers restate
  the question ("본인 결혼 시 회사에서 주는 경조금은 …"), and those words need not be in the
  cited passage: a question term counts half when some retrieved passage uses it, and nothing
  when none does;
- topic guard: a noun of the question that no retrieved passage mentions ("스톡옵션" when every
  passage is about other benefits) makes any sentence using it unsupported: the sources do
  not cover what was asked.
A guard failure makes the sentence unsupported whatever the overlap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.citations import answer_sentences, markers_in, strip_markers
from app.prompt import REFUSAL_EN, REFUSAL_KO, Passage
from retrieval.korean import morphemes

Label = Literal["supported", "unsupported", "no_claim"]

_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|만|천)?")
_UNIT = {"억": 100_000_000, "천만": 10_000_000, "백만": 1_000_000, "만": 10_000, "천": 1_000}
_GUARDED_TAGS = frozenset({"NNP", "SL"})
_TOPIC_TAGS = frozenset({"NNG", "NNP", "SL"})
_OVERLAP_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "SN", "NR"})


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    label: Label
    score: float
    citations: list[int]
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConsistencyResult:
    score: float | None
    """Share of checked sentences that are supported; None when the answer makes no claim."""
    sentences: list[SentenceCheck]

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.label == "unsupported"]


def number_values(text: str) -> set[float]:
    """Numeric values with Korean scale words applied: '50만 원' and '500,000원' are equal."""
    values: set[float] = set()
    for digits, unit in _NUMBER.findall(text):
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            continue
        values.add(value * _UNIT[unit] if unit else value)
    return values


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def check_sentence(
    sentence: str,
    cited_text: str,
    source_terms: frozenset[str],
    threshold: float,
    restatable: frozenset[str] = frozenset(),
    uncovered: frozenset[str] = frozenset(),
) -> tuple[float, list[str]]:
    """Support score in [0, 1] and the reasons it is not higher.

    `source_terms` are the content terms of `cited_text`, analysed once per passage by the caller.
    """
    reasons: list[str] = []
    missing_numbers = number_values(sentence) - number_values(cited_text)
    for value in sorted(missing_numbers):
        shown = f"{value:,.0f}" if value == int(value) else f"{value:g}"
        reasons.append(f"숫자 {shown}이(가) 근거 문서에 없습니다")
    compact_source = _compact(cited_text)
    tokens = morphemes(sentence)
    for form, tag in tokens:
        if tag in _GUARDED_TAGS and len(form) > 1 and _compact(form) not in compact_source:
            reasons.append(f"'{form}'이(가) 근거 문서에 없습니다")
    terms = _terms(tokens)
    for form in sorted(terms & uncovered):
        reasons.append(f"질문의 '{form}'이(가) 어느 근거 문서에도 없습니다")
    restated = (terms - source_terms) & restatable
    overlap = (len(terms & source_terms) + 0.5 * len(restated)) / len(terms) if terms else 0.0
    if reasons:
        return 0.0, reasons
    if overlap < threshold:
        reasons.append(f"근거 문서와 겹치는 내용이 적습니다 ({overlap:.0%})")
    return overlap, reasons


def _terms(
    tokens: Sequence[tuple[str, str]], tags: frozenset[str] = _OVERLAP_TAGS
) -> frozenset[str]:
    return frozenset(form for form, tag in tokens if tag in tags)


def is_refusal(sentence: str) -> bool:
    text = strip_markers(sentence)
    return REFUSAL_KO.rstrip(".") in text or REFUSAL_EN.rstrip(".").lower() in text.lower()


def check_answer(
    answer: str, passages: Sequence[Passage], threshold: float = 0.5, question: str = ""
) -> ConsistencyResult:
    by_number = {p.number: p for p in passages}
    terms_of = {p.number: _terms(morphemes(p.text)) for p in passages}
    headings = _terms(morphemes("\n".join(f"{p.document} {p.location}" for p in passages)))
    mentioned = headings.union(*terms_of.values())
    asked = morphemes(question)
    restatable = _terms(asked) & mentioned
    uncovered = frozenset(t for t in _terms(asked, _TOPIC_TAGS) if len(t) > 1) - mentioned
    checks: list[SentenceCheck] = []
    for sentence in answer_sentences(answer):
        plain = strip_markers(sentence)
        if not plain or is_refusal(sentence):
            checks.append(SentenceCheck(plain, "no_claim", 1.0, []))
            continue
        cited = [n for n in markers_in(sentence) if n in by_number]
        sources = [by_number[n] for n in cited] or list(passages)
        score, reasons = check_sentence(
            plain,
            "\n".join(p.text for p in sources),
            frozenset().union(*(terms_of[p.number] for p in sources)),
            threshold,
            restatable,
            uncovered,
        )
        if not cited:
            reasons.append("인용 표시가 없습니다")
        label: Label = "supported" if score >= threshold and cited else "unsupported"
        checks.append(SentenceCheck(plain, label, round(score, 3), cited, reasons))
    claims = [c for c in checks if c.label != "no_claim"]
    overall = sum(c.label == "supported" for c in claims) / len(claims) if claims else None
    return ConsistencyResult(overall, checks)
