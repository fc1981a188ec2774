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

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.label == "unsupported"]


def is_refusal(sentence: str) -> bool:
    text = strip_markers(sentence)
    return REFUSAL_KO.rstrip(".") in text or REFUSAL_EN.rstrip(".").lower() in text.lower()
