"""Fit the answer decision (app/consistency/decision.py) on the dev rows of answer evaluations.

Reads the saved `answers-<set>-dev.json` reports (`python -m eval answers --set S --split dev`),
one row per question with the decision's signals. The label is whether showing the model's
draft would have been right: an answerable question whose draft contains the expected answer.
An unanswerable question has no right answer to show. A logistic model gives P(right); the
threshold maximises right answers shown minus `WRONG_COST` times wrong answers shown on the same
rows — a wrong answer shown as checked costs trust that a refusal does not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from app.consistency.decision import DECISION_FILE, SIGNALS

WRONG_COST = 1.0


def dev_rows(reports: Sequence[Path]) -> list[dict[str, Any]]:
    """Rows the model drafted an answer for (a refusal before generation has no signals)."""
    rows = []
    for path in reports:
        for row in json.loads(path.read_text(encoding="utf-8"))["rows"]:
            if row.get("split") == "dev" and row.get("decision") and row.get("draft"):
                rows.append(row)
    return rows


def _label(row: dict[str, Any]) -> bool:
    return bool(row["answerable"] and row.get("draft_correct"))


def _threshold(p: np.ndarray, right: np.ndarray) -> float:
    candidates = sorted({0.5, *np.round(p, 3).tolist()})

    def utility(t: float) -> float:
        shown = p >= t
        return float((shown & right).sum() - WRONG_COST * (shown & ~right).sum())

    return max(candidates, key=lambda t: (utility(t), -t))


def fit(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    x = np.array([[r["decision"]["signals"][s] for s in SIGNALS] for r in rows], dtype=float)
    right = np.array([_label(r) for r in rows])
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, right)
    p = model.predict_proba(x)[:, 1]
    threshold = _threshold(p, right)
    shown = p >= threshold
    return {
        "rows": len(rows),
        "right_drafts": int(right.sum()),
        "shown_right": int((shown & right).sum()),
        "shown_wrong": int((shown & ~right).sum()),
        "refused_right": int((~shown & right).sum()),
        "model": {
            "weights": {
                s: round(float(w), 4) for s, w in zip(SIGNALS, model.coef_[0], strict=True)
            },
            "bias": round(float(model.intercept_[0]), 4),
            "threshold": round(float(threshold), 3),
        },
    }


def run(reports: Sequence[Path], write: bool) -> dict[str, Any]:
    result = fit(dev_rows(reports))
    if write:
        shipped = {
            "fitted_on": "dev rows of " + ", ".join(p.name for p in reports),
            "command": "python -m eval decide --fit " + " ".join(str(p) for p in reports),
            "wrong_cost": WRONG_COST,
            **result,
        }
        DECISION_FILE.write_text(json.dumps(shipped, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return result
