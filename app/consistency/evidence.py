"""The passages of one answer, analysed once: what every sentence check reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.consistency.figures import compact
from app.prompt import Passage

_OVERLAP_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "SN", "NR"})


def overlap(
    terms: frozenset[str], source_terms: frozenset[str], restatable: frozenset[str]
) -> float:
    """Share of the sentence's content morphemes found in the cited text (restated question
    terms count half)."""
    if not terms:
        return 0.0
    restated = (terms - source_terms) & restatable
    return (len(terms & source_terms) + 0.5 * len(restated)) / len(terms)


def terms(
    tokens: Sequence[tuple[str, str]], tags: frozenset[str] = _OVERLAP_TAGS
) -> frozenset[str]:
    return frozenset(form for form, tag in tokens if tag in tags)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
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
    question_numbers: frozenset[float]
    """Every figure of the question: counts an answer may multiply a source figure by."""
    out_of_scope: frozenset[str]
    """Question topics that no retrieved passage mentions and no readable document contains."""
    topics: frozenset[str]
    """The question's topic nouns (not the words naming the answer's kind, wh-words or deictic
    time words)."""
    question_cosines: dict[int, np.ndarray]
    """Per passage, each unit's cosine to the question (empty without a question)."""

    def question_fit(self, claim: np.ndarray, numbers: Sequence[int]) -> tuple[float, float]:
        """The question's cosine to the unit a claim was read from (its closest unit among
        `numbers`), and how far that falls below the unit closest to the question: a claim
        from the neighbouring row or rule answers a question the passages' best unit does not.
        (1.0, 0.0) without a question."""
        asked = self.question_cosines
        claim_cosines = {
            n: self.vectors[n] @ claim for n in numbers if n in asked and asked[n].size
        }
        if not claim_cosines:
            return 1.0, 0.0
        best = max(float(cosines.max()) for cosines in asked.values() if cosines.size)
        n = max(claim_cosines, key=lambda k: float(claim_cosines[k].max()))
        fit = float(asked[n][int(np.argmax(claim_cosines[n]))])
        return round(fit, 3), round(best - fit, 3)

    def coverage(self, numbers: Sequence[int]) -> float:
        """Share of the question's topics that the numbered passages hold as written."""
        if not self.topics:
            return 1.0
        held = compact(self.source(numbers)) if numbers else ""
        return sum(compact(t) in held for t in self.topics) / len(self.topics)

    def source(self, numbers: Sequence[int]) -> str:
        return "\n".join(self.texts[n] for n in numbers or list(self.passages))
