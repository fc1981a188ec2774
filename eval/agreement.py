"""Sample agreement as an answer-decision signal, measured from saved samples.

A one-off probe sampled each saved prompt 3 more times (temperature 0.6, top-p 0.95, 160
tokens, seeds 1000-1002) and saved the samples in `agreement-probe/samples-<set>-<split>.json`
beside the answers reports of whole-passage prompts (`eval/reports/`). This module reads them and prints what the README reports: how well
agreement ranks right drafts above wrong ones, and what decisions fitted on dev show on dev
(leave-one-out, the other corpus) and on the test splits. It was not built into the product:
on the test rows it separated right from wrong drafts no better than the shipped decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.citations import strip_markers
from app.consistency.decision import SIGNALS
from app.consistency.figures import number_values
from eval import decision_fit
from eval.metrics import char_f1

SIGNAL = "agreement"
SETS = ("hospital", "samples-rewritten")


def agreement(draft: str, samples: Sequence[str]) -> float:
    """Share of samples that hold every number of the draft; for a draft without numbers,
    the share that overlap it by character F1 of at least 0.5."""
    text = strip_markers(draft)
    figures = number_values(text)

    def agrees(sample: str) -> bool:
        sample = strip_markers(sample)
        if figures:
            return figures <= number_values(sample)
        return char_f1(sample, text) >= 0.5

    return sum(agrees(s) for s in samples) / len(samples) if samples else 0.0


def auroc(rows: Sequence[dict[str, Any]], score: str) -> float | None:
    """P(a right draft scores above a wrong one), ties counted half; `score` is a signal name
    or "probability" (the shipped decision's)."""

    def value(row: dict[str, Any]) -> float:
        decision = row["decision"]
        return float(
            decision["probability"] if score == "probability" else decision["signals"][score]
        )

    right = [value(r) for r in rows if decision_fit._label(r)]
    wrong = [value(r) for r in rows if not decision_fit._label(r)]
    if not right or not wrong:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in right for b in wrong)
    return round(wins / (len(right) * len(wrong)), 3)


def rows_with_agreement(reports: Path, set_name: str, split: str) -> list[dict[str, Any]]:
    """The decision rows of one answers report that the probe sampled, with agreement added
    to their signals."""
    report = reports / f"answers-{set_name}-{split}.json"
    samples = json.loads(
        (reports / "agreement-probe" / f"samples-{set_name}-{split}.json").read_text("utf-8")
    )
    rows = [r for r in decision_fit.dev_rows([report], split) if r["id"] in samples]
    for row in rows:
        row["decision"]["signals"][SIGNAL] = agreement(row["draft"], samples[row["id"]]["samples"])
    return rows


def run(reports: Path, wrong_cost: float = decision_fit.WRONG_COST) -> dict[str, Any]:
    rows = {
        (s, split): rows_with_agreement(reports, s, split)
        for s in SETS
        for split in ("dev", "test")
    }
    result: dict[str, Any] = {
        "auroc": {
            f"{s}-{split}": {
                "rows": len(r),
                SIGNAL: auroc(r, SIGNAL),
                "shipped": auroc(r, "probability"),
            }
            for (s, split), r in rows.items()
        }
    }
    both_dev = [r for s in SETS for r in rows[(s, "dev")]]
    for name, signals in (
        ("shipped", SIGNALS),
        ("shipped+agreement", (*SIGNALS, SIGNAL)),
        ("agreement", (SIGNAL,)),
    ):
        fits = {s: decision_fit.fit(rows[(s, "dev")], wrong_cost, signals)["model"] for s in SETS}
        fits["both dev"] = decision_fit.fit(both_dev, wrong_cost, signals)["model"]
        result[name] = {
            "leave_one_out": {
                s: decision_fit.leave_one_out(rows[(s, "dev")], wrong_cost, signals) for s in SETS
            },
            "cross_corpus": {
                f"{a} -> {b}": decision_fit.applied(fits[a], rows[(b, "dev")])
                for a in SETS
                for b in SETS
                if a != b
            },
            "test": {
                f"{fitted} -> {s}-test": decision_fit.applied(fits[fitted], rows[(s, "test")])
                for fitted in ("hospital", "both dev")
                for s in SETS
            },
        }
    return result
