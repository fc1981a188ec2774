"""Evaluation sets: the sample corpus questions and the shared KorQuAD / KLUE-NLI dev splits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED_DATA = REPO.parent / "shared" / "data"


@dataclass(frozen=True)
class QACase:
    id: str
    question: str
    answer: str
    source: str
    answerable: bool


def sample_questions(path: Path = SAMPLES / "questions.jsonl") -> list[QACase]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                QACase(row["id"], row["question"], row["answer"], row["source"], row["answerable"])
            )
    return cases
