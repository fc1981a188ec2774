"""Metric functions shared by the eval runners."""

from __future__ import annotations

import re
import statistics
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence


def normalize_answer(text: str) -> str:
    """Compare answers without spaces, commas and case ('50만 원' ≈ '50만원'), with a range
    written one way ('15:00부터 23:30까지', '15:00-23:30' ≈ '15:00~23:30')."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[\s,]", "", text)
    return re.sub(r"(\d)(?:부터|에서|-|–)(\d)", r"\1~\2", text)


def contains_answer(answer: str, expected: str) -> bool:
    return normalize_answer(expected) in normalize_answer(answer)


def same_document(file_name: str, expected: str) -> bool:
    return unicodedata.normalize("NFC", file_name) == unicodedata.normalize("NFC", expected)


def latency_summary(values_ms: Sequence[float]) -> dict[str, float]:
    if not values_ms:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


def ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def _korquad_normalize(text: str) -> str:
    """KorQuAD 1.0's evaluation script: drop quotes and brackets, punctuation, extra spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"'|\"|《|》|<|>|〈|〉|\(|\)|‘|’|“|”|「|」|『|』|\[|\]|·", " ", text)
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> bool:
    return _korquad_normalize(prediction) == _korquad_normalize(truth)


def char_f1(prediction: str, truth: str) -> float:
    """Character-level F1 (spaces ignored), as KorQuAD scores Korean answers."""
    predicted = Counter(_korquad_normalize(prediction).replace(" ", ""))
    expected = Counter(_korquad_normalize(truth).replace(" ", ""))
    common = sum((predicted & expected).values())
    if not common:
        return 0.0
    precision = common / sum(predicted.values())
    recall = common / sum(expected.values())
    return 2 * precision * recall / (precision + recall)
