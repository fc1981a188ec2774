"""Whether to show an answer at all: one calibrated probability for the whole answer.

The sentence labels say which sentences the passages support; whether the answer is shown is a
separate question, decided from signals of the whole answer by a logistic model fitted on the
dev split of the evaluation sets (`python -m eval decide --fit` writes decision.json), with its
threshold chosen there too. A word list or a single guard decided it before; on another
company's documents that refused right answers whose question used an everyday word the
documents phrase differently ("주유비" for "유류비"), so such evidence is one weighed signal here,
never a veto on its own. The question fit and gap (how far the passage unit each claim was
read from falls below the unit the question points to, by the embedder) are computed and
kept with the signals but not weighed: chosen on dev, a decision that weighed the gap instead
of the literal signals did no better on the test splits (README, "This release").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.consistency.calibration import Calibration
from app.consistency.result import ConsistencyResult

DECISION_FILE = Path(__file__).with_name("decision.json")
SIGNALS = ("supported_share", "min_score", "topics_unknown", "question_coverage")
"""The signals the shipped decision weighs. A figure guard's failure is not a signal of its own:
it already sets its sentence's score to 0 (fitted on 66 dev rows, a separate weight for it
came out positive — noise)."""


@dataclass(frozen=True)
class AnswerDecision:
    probability: float
    """P(the answer is right and grounded), from the fitted model."""
    show: bool
    signals: dict[str, float]


def load_decision_model(path: Path = DECISION_FILE) -> Calibration:
    model = json.loads(path.read_text(encoding="utf-8"))["model"]
    return Calibration(model["weights"], model["bias"], model["threshold"])


def answer_signals(consistency: ConsistencyResult) -> dict[str, float]:
    """The share of supported claims, the weakest claim's score, the question gap and fit of the
    claim read furthest from what was asked, how many question topics no readable document
    contains and how many the cited passages hold (the decision weighs `SIGNALS`; evaluation
    reports keep them all, so another choice can be measured on saved reports)."""
    claims = [s for s in consistency.sentences if s.label != "no_claim"]
    return {
        "supported_share": consistency.score or 0.0,
        "min_score": min((s.score for s in claims), default=0.0),
        "topics_unknown": float(len(consistency.out_of_scope)),
        "question_coverage": consistency.question_coverage,
        "question_fit": min((s.signals.get("question_fit", 1.0) for s in claims), default=1.0),
        "question_gap": max((s.signals.get("question_gap", 0.0) for s in claims), default=0.0),
    }


def decide(consistency: ConsistencyResult, model: Calibration) -> AnswerDecision:
    """An answer that makes no claim (the model found nothing) is never shown."""
    signals = answer_signals(consistency)
    if consistency.score is None:
        return AnswerDecision(0.0, False, signals)
    probability = model.probability(signals)
    return AnswerDecision(round(probability, 3), probability >= model.threshold, signals)
