"""Fit the answer decision (app/consistency/decision.py) on the dev rows of answer evaluations.

Reads the saved `answers-<set>-dev.json` reports (`python -m eval answers --set S --split dev`),
one row per question with the decision's signals. The label is whether showing the model's
draft would have been right: an answerable question whose draft contains the expected answer.
An unanswerable question has no right answer to show. A logistic model gives P(right); the
threshold maximises right answers shown minus `WRONG_COST` times wrong answers shown on the same
rows — a wrong answer shown as checked costs trust that a refusal does not.

`standardize` scales each signal to unit variance before the fit (and folds the scale back into
the weights): the L2 penalty otherwise holds back a signal whose useful range is small, such as
the question gap (a few hundredths of a cosine). The shipped decision was fitted without it.

With dev reports of two or more corpora, `cross` fits on each corpus and applies the fit to the
others: the question the product faces (a company whose documents nobody tuned on), asked on
dev rows only. `signals` picks a subset of the decision's signals, to measure one's worth.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from app.consistency.decision import DECISION_FILE, SIGNALS

WRONG_COST = 1.0


def dev_rows(reports: Sequence[Path], split: str = "dev") -> list[dict[str, Any]]:
    """Rows of `split` the model drafted an answer for (a refusal before generation has no
    signals)."""
    rows = []
    for path in reports:
        for row in json.loads(path.read_text(encoding="utf-8"))["rows"]:
            if row.get("split") == split and row.get("decision") and row.get("draft"):
                rows.append(row)
    return rows


def _label(row: dict[str, Any]) -> bool:
    return bool(row["answerable"] and row.get("draft_correct"))


def _threshold(p: np.ndarray, right: np.ndarray, wrong_cost: float) -> float:
    candidates = sorted({0.5, *np.round(p, 3).tolist()})

    def utility(t: float) -> float:
        shown = p >= t
        return float((shown & right).sum() - wrong_cost * (shown & ~right).sum())

    return max(candidates, key=lambda t: (utility(t), -t))


def _signals(
    rows: Sequence[dict[str, Any]], signals: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[r["decision"]["signals"][s] for s in signals] for r in rows], dtype=float)
    return x, np.array([_label(r) for r in rows])


def _fitted(
    x: np.ndarray, right: np.ndarray, wrong_cost: float, standardize: bool = False
) -> tuple[LogisticRegression, float]:
    """A logistic model on the raw signals and its threshold. Standardised, the fit divides
    each signal by its spread and the weights are divided back, so decision.json stays on the
    raw scale (the intercept is not penalised, so no centring is needed)."""
    scale = StandardScaler(with_mean=False).fit(x) if standardize else None
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(x / scale.scale_ if scale else x, right)
    if scale:
        model.coef_ = model.coef_ / scale.scale_
    return model, _threshold(model.predict_proba(x)[:, 1], right, wrong_cost)


def _outcome(shown: np.ndarray, right: np.ndarray) -> dict[str, int]:
    return {
        "rows": len(right),
        "right_drafts": int(right.sum()),
        "shown_right": int((shown & right).sum()),
        "shown_wrong": int((shown & ~right).sum()),
        "refused_right": int((~shown & right).sum()),
    }


def leave_one_out(
    rows: Sequence[dict[str, Any]],
    wrong_cost: float = WRONG_COST,
    signals: Sequence[str] = SIGNALS,
    standardize: bool = False,
) -> dict[str, int]:
    """Each row decided by the model and threshold fitted on all the others: an estimate of
    the decision on unseen rows that the in-sample fit overstates."""
    x, right = _signals(rows, signals)
    shown = np.zeros(len(rows), dtype=bool)
    for i in range(len(rows)):
        others = np.arange(len(rows)) != i
        model, threshold = _fitted(x[others], right[others], wrong_cost, standardize)
        shown[i] = model.predict_proba(x[i : i + 1])[0, 1] >= threshold
    return _outcome(shown, right)


def fit(
    rows: Sequence[dict[str, Any]],
    wrong_cost: float = WRONG_COST,
    signals: Sequence[str] = SIGNALS,
    standardize: bool = False,
) -> dict[str, Any]:
    x, right = _signals(rows, signals)
    model, threshold = _fitted(x, right, wrong_cost, standardize)
    shown = model.predict_proba(x)[:, 1] >= threshold
    return {
        **_outcome(shown, right),
        "model": {
            "weights": {
                s: round(float(w), 4) for s, w in zip(signals, model.coef_[0], strict=True)
            },
            "bias": round(float(model.intercept_[0]), 4),
            "threshold": round(float(threshold), 3),
        },
    }


def applied(model: dict[str, Any], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What a fitted model (`fit`'s "model") shows on other rows, e.g. a test split's, and how
    well its probability ranks their right drafts above the wrong ones (AUROC, whatever the
    threshold)."""
    x, right = _signals(rows, list(model["weights"]))
    weights = np.array(list(model["weights"].values()))
    p = 1.0 / (1.0 + np.exp(-(x @ weights + model["bias"])))
    ranked = round(float(roc_auc_score(right, p)), 3) if 0 < right.sum() < len(right) else None
    return {**_outcome(p >= model["threshold"], right), "auroc": ranked}


def cross(
    reports: Sequence[Path],
    wrong_cost: float = WRONG_COST,
    signals: Sequence[str] = SIGNALS,
    standardize: bool = False,
) -> dict[str, dict[str, Any]]:
    """Fitted on each report's dev rows and applied to the dev rows of all the others."""
    rows = {path.name: dev_rows([path]) for path in reports}
    return {
        f"{name} -> others": applied(
            fit(own, wrong_cost, signals, standardize)["model"],
            [row for other, theirs in rows.items() if other != name for row in theirs],
        )
        for name, own in rows.items()
    }


def run(
    reports: Sequence[Path],
    write: bool,
    wrong_cost: float = WRONG_COST,
    apply_to: Sequence[Path] = (),
    signals: Sequence[str] = SIGNALS,
    standardize: bool = False,
) -> dict[str, Any]:
    """The fit on the dev rows of `reports`, its leave-one-out estimate, with two reports or more
    the cross-corpus estimate, and (`apply_to`) what it shows on the test rows of each other
    report; `write` ships it as decision.json (with the shipped signals only)."""
    if write and (tuple(signals) != SIGNALS or standardize):
        raise ValueError("decision.json is written with the shipped signals and fit only")
    rows = dev_rows(reports)
    result = fit(rows, wrong_cost, signals, standardize)
    if write:
        shipped = {
            "fitted_on": "dev rows of " + ", ".join(p.name for p in reports),
            "command": "python -m eval decide --fit " + " ".join(str(p) for p in reports),
            "wrong_cost": wrong_cost,
            **result,
        }
        DECISION_FILE.write_text(json.dumps(shipped, ensure_ascii=False, indent=2) + "\n", "utf-8")
    report = {**result, "leave_one_out": leave_one_out(rows, wrong_cost, signals, standardize)}
    if len(reports) > 1:
        report["cross_corpus"] = cross(reports, wrong_cost, signals, standardize)
    for path in apply_to:
        report.setdefault("test", {})[path.name] = applied(
            result["model"], dev_rows([path], "test")
        )
    return report
