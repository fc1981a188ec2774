"""What the check says about an answer: a label, score and reasons per sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.citations import strip_markers
from app.prompt import REFUSAL_EN, REFUSAL_KO

Label = Literal["supported", "unsupported", "no_claim"]


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
    out_of_scope: tuple[str, ...] = ()
    """Question topics that no retrieved passage mentions and no document the caller may read
    contains: evidence that the documents do not cover what was asked (weighed by the answer
    decision, app/consistency/decision.py; a paraphrase the documents word differently looks
    the same, so it labels no sentence)."""
    question_coverage: float = 1.0
    """Share of the question's topic nouns that the passages the claims cite contain as written
    (1.0 for a question without topics, or one checked in translation). A weighed signal of the
    decision, never a veto: measured on the dev split, a draft whose cited passages hold few of
    the asked words ("의사직 이직률" against a passage on 간호직) was usually wrong."""

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.label == "unsupported"]


def is_refusal(sentence: str) -> bool:
    text = strip_markers(sentence)
    return REFUSAL_KO.rstrip(".") in text or REFUSAL_EN.rstrip(".").lower() in text.lower()
