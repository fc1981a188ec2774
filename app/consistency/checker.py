"""The checker: every answer sentence against the passages it cites (module docstring of
app.consistency for the signals)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

import numpy as np

from app.citations import answer_sentences, markers_in, strip_markers
from app.consistency.calibration import Calibration, load_calibrations
from app.consistency.conditions import other_condition_reasons
from app.consistency.evidence import Evidence, overlap, terms, unit_rows
from app.consistency.figures import compact, number_reasons, number_values, numbers
from app.consistency.question import DEICTIC, TOPIC_TAGS, WH_WORDS, answer_slots
from app.consistency.result import ConsistencyResult, Label, SentenceCheck, is_refusal
from app.llm import LLM, complete
from app.prompt import Passage, judge_messages, translation_messages
from retrieval.embedding import Embedder
from retrieval.korean import in_korean, morphemes, split_lines_and_sentences

_GUARDED_TAGS = frozenset({"NNP", "SL"})
_CITATION_REPAIRS = 2
"""Uncited passages tried for a sentence its citations do not support (each try may cost a
judge call)."""


def _guard_reasons(
    sentence: str, tokens: Sequence[tuple[str, str]], cited_text: str, evidence: Evidence
) -> list[str]:
    """Why the sentence cannot be supported whatever its overlap: a value the cited text lacks
    or ties to another condition, or a name it lacks."""
    reasons = number_reasons(
        sentence, cited_text, evidence.restated_numbers, evidence.question_numbers
    )
    if not reasons:
        reasons = other_condition_reasons(sentence, cited_text, evidence.restated_numbers)
    compact_source = compact(cited_text)
    for form, tag in tokens:
        if tag in _GUARDED_TAGS and len(form) > 1 and compact(form) not in compact_source:
            reasons.append(f"'{form}'이(가) 근거 문서에 없습니다")
    return reasons


def _nothing_unknown(terms: Collection[str]) -> set[str]:
    return set()


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
        passage_terms = {n: terms(morphemes(text)) for n, text in texts.items()}
        asked = morphemes(question)
        slots = answer_slots(asked)
        everything = "\n".join(texts.values())
        written = compact(everything)
        in_passages = {n for pair in numbers(everything) for n in pair}
        topics = {t for t in terms(asked, TOPIC_TAGS) - slots - WH_WORDS - DEICTIC if len(t) > 1}
        missing = {t for t in topics if compact(t) not in written}
        sentences = {p.number: split_lines_and_sentences(p.text) or [p.text] for p in passages}
        flat = [s for number in sentences for s in sentences[number]]
        matrix = unit_rows(self.embedder.embed_passages(flat)) if flat else np.zeros((0, 1))
        vectors, row = {}, 0
        for number, parts in sentences.items():
            vectors[number] = matrix[row : row + len(parts)]
            row += len(parts)
        asked_vector = (
            unit_rows(self.embedder.embed_query(question)[None, :])[0] if question else None
        )
        question_cosines = (
            {n: v @ asked_vector for n, v in vectors.items()} if asked_vector is not None else {}
        )
        return Evidence(
            passages={p.number: p for p in passages},
            texts=texts,
            terms=passage_terms,
            vectors=vectors,
            restatable=terms(asked) | slots,
            restated_numbers=frozenset(number_values(question) & in_passages),
            question_numbers=frozenset(number_values(question)),
            out_of_scope=frozenset(unknown_terms(missing) if unknown_terms else missing),
            topics=frozenset(topics),
            question_cosines=question_cosines,
        )

    def check(
        self,
        answer: str,
        passages: Sequence[Passage],
        question: str = "",
        unknown_terms: Callable[[Collection[str]], Collection[str]] | None = None,
    ) -> ConsistencyResult:
        korean = in_korean(" ".join(p.text for p in passages))
        asked = self._in_language(question, korean)
        translated = asked != question
        if translated:  # a translator's word missing from the documents says nothing
            unknown_terms = _nothing_unknown
        evidence = self.evidence(passages, asked, unknown_terms)
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
        cited = sorted({n for c in claims for n in c.citations})
        coverage = 1.0 if translated else evidence.coverage(cited)
        return ConsistencyResult(
            overall, checks, tuple(sorted(evidence.out_of_scope)), round(coverage, 3)
        )

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
        wrong = number_reasons(
            sentence,
            evidence.source(check.citations),
            evidence.restated_numbers,
            evidence.question_numbers,
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
        vector = unit_rows(self.embedder.embed_passages([sentence]))[0]
        closest = {n: float((evidence.vectors[n] @ vector).max()) for n in evidence.passages}
        check = self._with_question_fit(
            self._against(sentence, tokens, closest, cited, evidence), vector, evidence
        )
        if check.label == "supported":
            return check

        def fit(n: int) -> tuple[bool, float]:  # holds the sentence's figures, then closeness
            figures = number_reasons(
                sentence, evidence.texts[n], evidence.restated_numbers, evidence.question_numbers
            )
            return not figures, closest[n]

        others = sorted((n for n in evidence.passages if n not in cited), key=fit)
        for number in reversed(others[-_CITATION_REPAIRS:]):
            repaired = self._against(sentence, tokens, closest, [number], evidence)
            if repaired.label == "supported":
                was = "".join(f"[{n}]" for n in cited) or "인용 없음"
                repaired.reasons.append(f"인용을 {was}에서 [{number}]로 바로잡았습니다")
                return self._with_question_fit(repaired, vector, evidence)
        return check

    @staticmethod
    def _with_question_fit(
        check: SentenceCheck, vector: np.ndarray, evidence: Evidence
    ) -> SentenceCheck:
        fit, gap = evidence.question_fit(vector, check.citations or list(evidence.passages))
        signals = {**check.signals, "question_fit": fit, "question_gap": gap}
        return replace(check, signals=signals)

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
            "overlap": round(overlap(terms(tokens), cited_terms, evidence.restatable), 3),
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
