"""Calibrate and measure the factual-consistency checker (README "Evaluation").

1. KLUE-NLI dev (entailment = supported; neutral and contradiction = unsupported): the signals
   of every pair (guard, overlap, similarity; the LLM judge on the first `judge_pairs`), then a
   logistic model per signal set, scored with 5-fold cross-validation — the threshold of each
   fold chosen on its training folds so that 90% of supported pairs pass — and fitted on all
   pairs for the shipped calibration (app/consistency/calibration.json).
2. Corrupted answers from samples/: for each answerable question the passage sentence that holds
   the expected answer (clean, should be supported), the same sentence with a changed number,
   with a name swapped for one from another document, and followed by an added claim taken
   from another document, each checked as a one-sentence answer citing the passage.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from app.consistency import (
    CALIBRATION_FILE,
    Calibration,
    ConsistencyChecker,
    ConsistencyResult,
)
from app.llm import LLM
from app.prompt import Passage, judge_messages
from eval.datasets import SAMPLES, SHARED_DATA, sample_questions
from eval.metrics import normalize_answer
from ingest.index import file_chunks
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder
from retrieval.korean import morphemes, split_sentences

KLUE_NLI = SHARED_DATA / "klue-nli-dev" / "klue-nli-v1.1_dev_devsplit.json"
SIGNAL_SETS = {
    "overlap": ("overlap",),
    "similarity": ("similarity",),
    "judge_only": ("judge",),
    "lexical": ("overlap", "similarity"),
    "judge": ("overlap", "similarity", "judge"),
}
# P = 0.5 for every sentence: only the guards decide, so the raw signals can be read off.
_NEUTRAL = {"lexical": Calibration({}, 0.0, 0.5)}
KEEP_SUPPORTED = 0.9


def nli_signals(
    checker: ConsistencyChecker, llm: LLM | None, judge_pairs: int, limit: int | None = None
) -> list[dict[str, Any]]:
    pairs = json.loads(KLUE_NLI.read_text(encoding="utf-8"))[:limit]
    rows = []
    for i, pair in enumerate(pairs):
        premise, hypothesis = pair["premise"], pair["hypothesis"]
        evidence = checker.evidence([Passage(1, "", premise, {})])
        check = checker.check_sentence(hypothesis, [1], evidence)
        row = {
            "label": pair["gold_label"],
            "supported": pair["gold_label"] == "entailment",
            "guard": check.score == 0.0,  # a guard zeroes the score; otherwise it is ≥ 0.5 here
            **check.signals,
        }
        if llm is not None and i < judge_pairs:
            row["judge"] = llm.yes_probability(judge_messages(premise, hypothesis))
        rows.append(row)
    return rows


def _decisions(p_supported: np.ndarray, guard: np.ndarray, threshold: float) -> np.ndarray:
    """True where the checker says unsupported."""
    return guard | (p_supported < threshold)


def _threshold(p: np.ndarray, guard: np.ndarray, supported: np.ndarray) -> float:
    """The highest threshold that still passes KEEP_SUPPORTED of the supported pairs the guards
    let through. A checker that flags true sentences teaches users to ignore it, and KLUE-NLI's
    unsupported pairs restate the premise almost word for word, which the lexical signals cannot
    separate: a threshold chosen for accuracy there flags most true answers."""
    passed = p[supported & ~guard]
    return float(np.round(np.quantile(passed, 1 - KEEP_SUPPORTED), 3)) if len(passed) else 0.5


def _balanced_accuracy(predicted: np.ndarray, unsupported: np.ndarray) -> float:
    return float((predicted[unsupported].mean() + (~predicted[~unsupported]).mean()) / 2)


def _fit(x: np.ndarray, supported: np.ndarray) -> LogisticRegression:
    """Classes weighted equally, so the probability reads as P(supported) at even odds."""
    return LogisticRegression(C=10.0, class_weight="balanced").fit(x, supported)


def detection_metrics(predicted: np.ndarray, unsupported: np.ndarray) -> dict[str, float]:
    """Accuracy, and precision/recall/F1 at detecting unsupported sentences."""
    tp = int((predicted & unsupported).sum())
    precision = tp / max(1, int(predicted.sum()))
    recall = tp / max(1, int(unsupported.sum()))
    return {
        "accuracy": round(float((predicted == unsupported).mean()), 3),
        "balanced_accuracy": round(_balanced_accuracy(predicted, unsupported), 3),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 3),
    }


def calibrate(rows: Sequence[dict[str, Any]], signals: Sequence[str]) -> dict[str, Any]:
    """Cross-validated metrics of one signal set, and the model fitted on all rows."""
    rows = [r for r in rows if all(s in r for s in signals)]
    x = np.array([[r[s] for s in signals] for r in rows], dtype=float)
    supported = np.array([r["supported"] for r in rows])
    guard = np.array([r["guard"] for r in rows])
    unsupported = ~supported
    p_oof = np.zeros(len(rows))
    predicted = np.zeros(len(rows), dtype=bool)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, supported):
        model = _fit(x[train], supported[train])
        p_train = model.predict_proba(x[train])[:, 1]
        threshold = _threshold(p_train, guard[train], supported[train])
        p_oof[test] = model.predict_proba(x[test])[:, 1]
        predicted[test] = _decisions(p_oof[test], guard[test], threshold)
    model = _fit(x, supported)
    p_all = model.predict_proba(x)[:, 1]
    bins = np.minimum((p_oof * 10).astype(int), 9)
    curve = [
        {
            "predicted": round(float(p_oof[bins == b].mean()), 3),
            "observed_supported": round(float(supported[bins == b].mean()), 3),
            "pairs": int((bins == b).sum()),
        }
        for b in range(10)
        if (bins == b).any()
    ]
    return {
        "pairs": len(rows),
        "cross_validated": {
            **detection_metrics(predicted, unsupported),
            "auc": round(float(roc_auc_score(unsupported, 1 - p_oof)), 3),
        },
        "calibration_curve": curve,
        "model": {
            "weights": {
                s: round(float(w), 4) for s, w in zip(signals, model.coef_[0], strict=True)
            },
            "bias": round(float(model.intercept_[0]), 4),
            "threshold": _threshold(p_all, guard, supported),
        },
    }


def _sentence_with(text: str, answer: str) -> str | None:
    for sentence in split_sentences(text):
        if normalize_answer(answer) in normalize_answer(sentence):
            return sentence
    return None


def _nouns(text: str) -> list[str]:
    return [f for f, tag in morphemes(text) if tag in ("NNG", "NNP") and len(f) > 1]


def _names(text: str) -> list[str]:
    """Proper nouns and Latin terms: people, teams, systems, products."""
    return [f for f, tag in morphemes(text) if tag in ("NNP", "SL") and len(f) > 1]


def corrupted_cases(embedder: Embedder) -> list[dict[str, Any]]:
    """(passage, clean sentence, corruptions) for every answerable sample question whose expected
    answer appears verbatim in one sentence of its source document."""
    settings = IngestSettings()
    questions = [q for q in sample_questions() if q.answerable]
    chunks = {
        q.source: file_chunks(SAMPLES / "docs" / q.source, embedder.count_tokens, settings)
        for q in questions
    }
    rng = random.Random(0)
    cases = []
    for q in questions:
        found = [(c.text, s) for c in chunks[q.source] if (s := _sentence_with(c.text, q.answer))]
        if not found:
            continue
        passage, clean = found[0]
        others = [c.text for source, cs in chunks.items() if source != q.source for c in cs]
        other_sentences = [s for t in others for s in split_sentences(t) if len(s) > 15]
        corruptions: dict[str, str] = {}
        number = re.search(r"\d+", q.answer) or re.search(r"\d+", clean)
        if number:
            changed = str(
                int(number.group()) + 1 if int(number.group()) < 10 else int(number.group()) * 2
            )
            corruptions["changed_number"] = clean.replace(number.group(), changed, 1)
        own = (
            _names(clean)
            or [n for n in _nouns(clean) if n in q.answer]
            or [n for n in _nouns(clean) if n not in q.question]
        )
        foreign = sorted({n for t in others for n in _names(t) or _nouns(t)} - set(_nouns(passage)))
        swapped = clean.replace(own[0], rng.choice(foreign), 1) if own and foreign else clean
        if swapped != clean:
            corruptions["swapped_name"] = swapped
        corruptions["added_claim"] = rng.choice(other_sentences)
        cases.append(
            {"id": q.id, "question": q.question, "passage": passage, "clean": clean, **corruptions}
        )
    return cases


def corrupted_metrics(
    checker: ConsistencyChecker, cases: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Detection rate per corruption, and the false alarms on the clean sentences."""
    flagged: dict[str, list[bool]] = {}
    examples: list[dict[str, Any]] = []
    for case in cases:
        passages = [Passage(1, "", case["passage"], {})]
        for kind in ("clean", "changed_number", "swapped_name", "added_claim"):
            if kind not in case:
                continue
            result: ConsistencyResult = checker.check(
                f"{case[kind]} [1]", passages, case["question"]
            )
            last = result.sentences[-1]
            flagged.setdefault(kind, []).append(last.label == "unsupported")
            if len(examples) < 8 and kind != "clean":
                examples.append({"kind": kind, "sentence": last.text, "reasons": last.reasons})
    summary: dict[str, Any] = {
        kind: {"cases": len(v), "flagged": round(sum(v) / len(v), 3)} for kind, v in flagged.items()
    }
    corrupt = [f for kind, v in flagged.items() if kind != "clean" for f in v]
    clean = flagged.get("clean", [])
    predicted = np.array(clean + corrupt)
    truth = np.array([False] * len(clean) + [True] * len(corrupt))
    summary["overall"] = detection_metrics(predicted, truth)
    summary["examples"] = examples
    return summary


def run(
    embedder: Embedder,
    llm: LLM | None,
    judge_pairs: int,
    out_dir: Path,
    write_calibration: bool,
    reuse_signals: bool = False,
) -> dict[str, Any]:
    """`reuse_signals` re-fits from the saved consistency-signals.jsonl (the judge pass over
    KLUE-NLI takes ~25 min on 2 CPU cores)."""
    started = time.perf_counter()
    signals_file = out_dir / "consistency-signals.jsonl"
    if reuse_signals and signals_file.exists():
        rows = [json.loads(line) for line in signals_file.read_text(encoding="utf-8").splitlines()]
    else:
        rows = nli_signals(ConsistencyChecker(embedder, calibrations=_NEUTRAL), llm, judge_pairs)
        out_dir.mkdir(parents=True, exist_ok=True)
        signals_file.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    signals_s = time.perf_counter() - started
    results = {name: calibrate(rows, signals) for name, signals in SIGNAL_SETS.items()}
    models = {
        name: results[name]["model"] for name in ("lexical", "judge") if results[name]["pairs"]
    }
    calibrations = {name: Calibration(**m) for name, m in models.items()}
    cases = corrupted_cases(embedder)
    corrupted = {
        name: corrupted_metrics(
            ConsistencyChecker(
                embedder, llm if name == "judge" else None, calibrations=calibrations
            ),
            cases,
        )
        for name in calibrations
    }
    report = {
        "nli": {"set": "KLUE-NLI v1.1 dev split", "pairs": len(rows), **results},
        "corrupted_samples": corrupted,
        "judge_llm": llm.name if llm else None,
        "embedder": embedder.name,
        "seconds": {
            "signals": round(signals_s, 1),
            "total": round(time.perf_counter() - started, 1),
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "consistency.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    if write_calibration:
        CALIBRATION_FILE.write_text(
            json.dumps(
                {
                    "fitted_on": f"KLUE-NLI dev ({len(rows)} pairs; judge: {llm.name if llm else '-'})",
                    "command": "python -m eval consistency",
                    "models": models,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return {k: v for k, v in report.items() if k != "corrupted_samples"} | {
        "corrupted_samples": {n: c["overall"] for n, c in corrupted.items()}
    }
