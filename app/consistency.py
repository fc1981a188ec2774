"""Factual-consistency check: is each answer sentence supported by the passages it cites?

Signals, all offline:
- lexical guard: every number/amount/date value and every proper noun or Latin term in the
  sentence must occur in the cited text (a changed number is the most damaging error);
- topic guard: a noun of the question that no retrieved passage mentions and no document the
  caller may read contains ("스톡옵션" in a company without stock options) makes every claim
  of the answer unsupported: the documents do not cover what was asked, whatever the answer
  says instead ("1인당 월 45,000원" from another allowance). A word the documents use
  elsewhere ("회사", "사용") says nothing about scope and is left to the other signals. Nouns
  that name the kind of answer wanted ("나이" in "김영삼의 나이는?", "경우" in "어떤 경우에")
  are not topics: the passage states the answer itself ("1927년생") without the word;
- content-morpheme overlap (Kiwi) between the sentence and the cited text. Answers restate
  the question ("본인 결혼 시 회사에서 주는 경조금은 …"), and those words need not be in the
  cited passage: a question term counts half (a question noun that no retrieved passage
  uses falls to the topic guard instead);
- similarity: cosine of the sentence's embedding to the closest sentence of the cited passages;
- judge (when the LLM is cheap to call again: GPU or server): the model's probability of
  answering "yes" to "does the source support this statement?".
A guard failure makes the sentence unsupported whatever the rest says. The other signals are
combined by a logistic model fitted on KLUE-NLI dev (`python -m eval consistency` writes
consistency_calibration.json), so the score reads as P(supported) and its threshold was chosen
on that data.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from app.citations import answer_sentences, markers_in, strip_markers
from app.llm import LLM, complete
from app.prompt import REFUSAL_EN, REFUSAL_KO, Passage, judge_messages, translation_messages
from retrieval.embedding import Embedder
from retrieval.korean import in_korean, morphemes, split_sentences

Label = Literal["supported", "unsupported", "no_claim"]
_CITATION_REPAIRS = 2
"""Uncited passages tried for a sentence its citations do not support (each try may cost a
judge call)."""

_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|만|천)?")
_UNIT = {"억": 100_000_000, "천만": 10_000_000, "백만": 1_000_000, "만": 10_000, "천": 1_000}
_GUARDED_TAGS = frozenset({"NNP", "SL"})
_TOPIC_TAGS = frozenset({"NNG", "NNP", "SL"})
_OVERLAP_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "SN", "NR"})
_WH_DETERMINERS = frozenset({"어느", "어떤", "무슨", "몇", "어떠", "어떻"})
_WH_WORDS = _WH_DETERMINERS | {"누구", "무엇", "뭐", "언제", "어디", "얼마", "며칠", "얼마나"}
_DEICTIC = frozenset(
    {
        "올해",
        "금년",
        "작년",
        "지난해",
        "내년",
        "이번",
        "지난번",
        "오늘",
        "어제",
        "내일",
        "현재",
        "지금",
    }
)
"""Time words relative to the asker: a document writes the date ("2025년"), never "올해"."""
_MODIFIER_TAGS = frozenset({"JKG", "ETM", "NNG", "NNP", "SL", "SN"})


CALIBRATION_FILE = Path(__file__).with_name("consistency_calibration.json")


@dataclass(frozen=True)
class Calibration:
    """P(supported) = sigmoid(bias + Σ weight·signal); `threshold` applies to that probability."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.bias + sum(w * signals[name] for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-z))


def load_calibrations(path: Path = CALIBRATION_FILE) -> dict[str, Calibration]:
    """The fitted models by name: "lexical" (overlap, similarity) and "judge" (+ the LLM)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Calibration(model["weights"], model["bias"], model["threshold"])
        for name, model in data["models"].items()
    }


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    label: Label
    score: float
    citations: list[int]
    reasons: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsistencyResult:
    score: float | None
    """Share of checked sentences that are supported; None when the answer makes no claim."""
    sentences: list[SentenceCheck]

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.label == "unsupported"]


def _numbers(text: str) -> list[tuple[float, float]]:
    """Each figure as written and with its Korean scale word applied ('50만' → 50, 500000)."""
    numbers = []
    for digits, unit in _NUMBER.findall(text):
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            continue
        numbers.append((value, value * _UNIT[unit] if unit else value))
    return numbers


def number_values(text: str) -> set[float]:
    """Numeric values with Korean scale words applied: '50만 원' and '500,000원' are equal."""
    return {scaled for _, scaled in _numbers(text)}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _number_reasons(
    sentence: str, cited_text: str, restated: frozenset[float] = frozenset()
) -> list[str]:
    """The sentence's figures the cited text lacks, by value or as written (a table puts the
    unit in its header: "148.6" under "(억 원)" supports "148.6억 원"). `restated` figures come
    from the question and some retrieved passage ("1인당" in "1인당 얼마까지?"): not a claim."""
    source = _numbers(cited_text)
    written, scaled = {w for w, _ in source}, {v for _, v in source}
    missing = {
        value
        for as_written, value in _numbers(sentence)
        if value not in scaled and as_written not in written and value not in restated
    }
    return [
        f"숫자 {f'{v:,.0f}' if v == int(v) else f'{v:g}'}이(가) 근거 문서에 없습니다"
        for v in sorted(missing)
    ]


def _guard_reasons(
    sentence: str, tokens: Sequence[tuple[str, str]], cited_text: str, evidence: Evidence
) -> list[str]:
    """Why the sentence cannot be supported whatever its overlap: a value or a name the cited
    text lacks, or a question topic no passage covers."""
    reasons = _number_reasons(sentence, cited_text, evidence.restated_numbers)
    compact_source = _compact(cited_text)
    for form, tag in tokens:
        if tag in _GUARDED_TAGS and len(form) > 1 and _compact(form) not in compact_source:
            reasons.append(f"'{form}'이(가) 근거 문서에 없습니다")
    for form in sorted(evidence.out_of_scope):
        reasons.append(f"질문의 '{form}'이(가) 어느 문서에도 없습니다")
    return reasons


def answer_slots(tokens: Sequence[tuple[str, str]]) -> frozenset[str]:
    """Nouns of a question that name what kind of answer is wanted rather than what it is about.

    Two Korean patterns: a noun a wh-determiner modifies ("어떤 경우에", "어떠한 인물이"), and
    the modified head noun of a question that ends in it ("김영삼의 나이는?", "도입한 제도는
    무엇인가?"). An unmodified head ("스톡옵션은 무엇인가요?") is the topic being asked about.
    """
    tags = [tag.split("-")[0] for _, tag in tokens]
    forms = [form for form, _ in tokens]
    slots: set[str] = set()
    for i, tag in enumerate(tags):
        if tag not in {"NNG", "NNP"}:
            continue
        j = i - 1
        while j >= 0 and tags[j] in {"ETM", "XSA"}:
            j -= 1
        if j >= 0 and forms[j] in _WH_DETERMINERS:
            slots.add(forms[i])
    for p in range(len(tokens) - 1, 1, -1):
        if tags[p] in {"JX", "JKS"} and tags[p - 1] in {"NNG", "NNP"}:
            tail = zip(forms[p + 1 :], tags[p + 1 :], strict=True)
            if tags[p - 2] in _MODIFIER_TAGS and all(
                form in _WH_WORDS or tag[0] in "ES" or tag in {"VCP", "JX"} or form == "되"
                for form, tag in tail
            ):
                slots.add(forms[p - 1])
            break
    return frozenset(slots)


def _overlap(
    terms: frozenset[str], source_terms: frozenset[str], restatable: frozenset[str]
) -> float:
    """Share of the sentence's content morphemes found in the cited text (restated question
    terms count half)."""
    if not terms:
        return 0.0
    restated = (terms - source_terms) & restatable
    return (len(terms & source_terms) + 0.5 * len(restated)) / len(terms)


def _terms(
    tokens: Sequence[tuple[str, str]], tags: frozenset[str] = _OVERLAP_TAGS
) -> frozenset[str]:
    return frozenset(form for form, tag in tokens if tag in tags)


def is_refusal(sentence: str) -> bool:
    text = strip_markers(sentence)
    return REFUSAL_KO.rstrip(".") in text or REFUSAL_EN.rstrip(".").lower() in text.lower()


def _nothing_unknown(terms: Collection[str]) -> set[str]:
    return set()


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@dataclass(frozen=True)
class Evidence:
    """The passages of one answer, analysed once: terms, sentence vectors, question context."""

    passages: dict[int, Passage]
    texts: dict[int, str]
    """Each passage as the model saw it: its document and location line, then its text."""
    terms: dict[int, frozenset[str]]
    vectors: dict[int, np.ndarray]
    restatable: frozenset[str]
    restated_numbers: frozenset[float]
    out_of_scope: frozenset[str]
    """Question topics that no retrieved passage mentions and no readable document contains."""

    def source(self, numbers: Sequence[int]) -> str:
        return "\n".join(self.texts[n] for n in numbers or list(self.passages))


class ConsistencyChecker:
    def __init__(
        self,
        embedder: Embedder,
        judge: LLM | None = None,
        threshold: float | None = None,
        calibrations: Mapping[str, Calibration] | None = None,
        translator: LLM | None = None,
    ) -> None:
        """`judge` adds the LLM's verdict (one short model call per sentence); `threshold`
        overrides the calibrated one; `translator` brings a question and the claims that are
        not in the passages' language into it (an English question over Korean documents),
        since without it such a claim shares no morpheme with its source."""
        self.embedder = embedder
        self.judge = judge
        self.translator = translator
        models = calibrations or load_calibrations()
        self.calibration = models["judge" if judge else "lexical"]
        self.threshold = self.calibration.threshold if threshold is None else threshold

    def evidence(
        self,
        passages: Sequence[Passage],
        question: str = "",
        unknown_terms: Callable[[Collection[str]], Collection[str]] | None = None,
    ) -> Evidence:
        """`unknown_terms` tells which words no document contains (the searcher's, under the
        caller's filter); without it a topic missing from the passages counts as unknown."""
        texts = {p.number: f"{p.document} {p.location}\n{p.text}" for p in passages}
        terms = {n: _terms(morphemes(text)) for n, text in texts.items()}
        asked = morphemes(question)
        slots = answer_slots(asked)
        everything = "\n".join(texts.values())
        written = _compact(everything)
        in_passages = {n for pair in _numbers(everything) for n in pair}
        missing = {
            t
            for t in _terms(asked, _TOPIC_TAGS) - slots - _WH_WORDS - _DEICTIC
            if len(t) > 1 and _compact(t) not in written
        }
        sentences = {p.number: split_sentences(p.text) or [p.text] for p in passages}
        flat = [s for number in sentences for s in sentences[number]]
        matrix = _unit_rows(self.embedder.embed_passages(flat)) if flat else np.zeros((0, 1))
        vectors, row = {}, 0
        for number, parts in sentences.items():
            vectors[number] = matrix[row : row + len(parts)]
            row += len(parts)
        return Evidence(
            passages={p.number: p for p in passages},
            texts=texts,
            terms=terms,
            vectors=vectors,
            restatable=_terms(asked) | slots,
            restated_numbers=frozenset(number_values(question) & in_passages),
            out_of_scope=frozenset(unknown_terms(missing) if unknown_terms else missing),
        )

    def check(
        self,
        answer: str,
        passages: Sequence[Passage],
        question: str = "",
        unknown_terms: Callable[[Collection[str]], Collection[str]] | None = None,
    ) -> ConsistencyResult:
        korean = in_korean(" ".join(p.text for p in passages))
        read = self._in_language(question, korean)
        if read != question:  # a translator's word missing from the documents says nothing
            unknown_terms = _nothing_unknown
        evidence = self.evidence(passages, read, unknown_terms)
        checks: list[SentenceCheck] = []
        for sentence in answer_sentences(answer):
            plain = strip_markers(sentence)
            if not plain or is_refusal(sentence):
                checks.append(SentenceCheck(plain, "no_claim", 1.0, []))
                continue
            cited = [n for n in markers_in(sentence) if n in evidence.passages]
            read = self._in_language(plain, korean)
            if read == plain:
                checks.append(self.check_sentence(plain, cited, evidence))
            else:
                checks.append(self._check_translated(plain, read, cited, evidence))
        claims = [c for c in checks if c.label != "no_claim"]
        overall = sum(c.label == "supported" for c in claims) / len(claims) if claims else None
        return ConsistencyResult(overall, checks)

    def _in_language(self, text: str, korean: bool) -> str:
        """`text` in Korean (or English when `korean` is False); as it is without a translator."""
        if not text or self.translator is None or in_korean(text) == korean:
            return text
        messages = translation_messages(text, into_korean=korean)
        reply = complete(self.translator, messages, max_tokens=len(text) + 16)
        first = next((line for line in reply.splitlines() if line.strip()), "")
        return first.strip().strip("\"'“”‘’") or text

    def _check_translated(
        self, sentence: str, translation: str, cited: list[int], evidence: Evidence
    ) -> SentenceCheck:
        """The translation is checked; the original's own numbers must still be in the source
        (a translation that drops or fixes a wrong figure must not rescue it)."""
        check = self.check_sentence(translation, cited, evidence)
        wrong = _number_reasons(
            sentence, evidence.source(check.citations), evidence.restated_numbers
        )
        note = f"'{translation}'(으)로 옮겨 확인했습니다"
        if wrong:
            return replace(
                check, text=sentence, label="unsupported", score=0.0, reasons=[*wrong, note]
            )
        return replace(check, text=sentence, reasons=[*check.reasons, note])

    def check_sentence(self, sentence: str, cited: list[int], evidence: Evidence) -> SentenceCheck:
        """One claim against the passages it cites (all of them when it cites none).

        Small models often cite the neighbour of the passage they used, or forget the marker.
        When the cited passages do not support the sentence, the retrieved passages closest to
        it are tried one at a time, and one that supports it becomes its citation: the reader
        gets the right source instead of a refusal, and the correction is listed in `reasons`.
        """
        tokens = morphemes(sentence)
        vector = _unit_rows(self.embedder.embed_passages([sentence]))[0]
        closest = {n: float((evidence.vectors[n] @ vector).max()) for n in evidence.passages}
        check = self._against(sentence, tokens, closest, cited, evidence)
        if check.label == "supported":
            return check

        def fit(n: int) -> tuple[bool, float]:  # holds the sentence's figures, then closeness
            figures = _number_reasons(sentence, evidence.texts[n], evidence.restated_numbers)
            return not figures, closest[n]

        others = sorted((n for n in evidence.passages if n not in cited), key=fit)
        for number in reversed(others[-_CITATION_REPAIRS:]):
            repaired = self._against(sentence, tokens, closest, [number], evidence)
            if repaired.label == "supported":
                was = "".join(f"[{n}]" for n in cited) or "인용 없음"
                repaired.reasons.append(f"인용을 {was}에서 [{number}]로 바로잡았습니다")
                return repaired
        return check

    def _against(
        self,
        sentence: str,
        tokens: Sequence[tuple[str, str]],
        closest: Mapping[int, float],
        cited: list[int],
        evidence: Evidence,
    ) -> SentenceCheck:
        numbers = cited or list(evidence.passages)
        source = evidence.source(numbers)
        reasons = _guard_reasons(sentence, tokens, source, evidence)
        cited_terms = frozenset().union(*(evidence.terms[n] for n in numbers))
        signals = {
            "overlap": round(_overlap(_terms(tokens), cited_terms, evidence.restatable), 3),
            "similarity": round(max((closest[n] for n in numbers), default=0.0), 3),
        }
        if self.judge is not None and not reasons:
            signals["judge"] = round(
                self.judge.yes_probability(judge_messages(source, sentence)), 3
            )
        score = 0.0 if reasons else self.calibration.probability(signals)
        if not reasons and score < self.threshold:
            reasons.append(f"근거 문서가 이 문장을 뒷받침한다고 보기 어렵습니다 ({score:.0%})")
        if not cited:
            reasons.append("인용 표시가 없습니다")
        label: Label = "supported" if score >= self.threshold and cited else "unsupported"
        return SentenceCheck(sentence, label, round(score, 3), cited, reasons, signals)
