"""The logistic model that turns the checker's signals into P(supported), fitted on KLUE-NLI dev
by `python -m eval consistency --write-calibration` (which rewrites calibration.json)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    """P(supported) = sigmoid(bias + Σ weight·signal); `threshold` applies to that probability."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.bias + sum(w * signals[name] for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-z))


def load_calibrations(path: Path = CALIBRATION_FILE) -> dict[str, Calibration]:
    """The fitted models by name: "lexical" (overlap, similarity) and "judge" (+ the LLM)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Calibration(model["weights"], model["bias"], model["threshold"])
        for name, model in data["models"].items()
    }
