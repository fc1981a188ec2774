"""Evaluation sets: the sample corpus and its colloquial rewrites, the hospital corpus nobody on
the answer side wrote (eval/corpora/hospital), and the shared KorQuAD / KLUE-NLI dev splits.

Every question file is JSON lines with `id, question, answer, sources (or source), answerable`
and, in the newer sets, `accept` (other written forms of the answer), `answer_parts` (each part
of a two-document answer), `type` and `split` (dev: tune on it; test: report it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED_DATA = REPO.parent / "shared" / "data"
HOSPITAL = REPO / "eval" / "corpora" / "hospital"
ANSWER_SETS = ("samples", "samples-rewritten", "hospital", "korquad", "scans")
SPLITS = ("dev", "test", "all")


@dataclass(frozen=True)
class QACase:
    id: str
    question: str
    answer: str
    sources: tuple[str, ...]
    answerable: bool
    accept: tuple[str, ...] = ()
    answer_parts: tuple[str, ...] = ()
    type: str = "direct"
    split: str = "dev"
    page: int | None = None
    """The page the answer must be cited with, where the set says (scanned notices)."""

    @property
    def source(self) -> str:
        return self.sources[0] if self.sources else ""

    @property
    def forms(self) -> tuple[str, ...]:
        """The written forms a right answer may contain."""
        return tuple(form for form in (self.answer, *self.accept) if form)


def _case(row: dict[str, Any], default_split: str) -> QACase:
    sources = row["sources"] if "sources" in row else [row["source"]] if row["source"] else []
    return QACase(
        id=row["id"],
        question=row["question"],
        answer=row["answer"],
        sources=tuple(sources),
        answerable=row["answerable"],
        accept=tuple(row.get("accept", ())),
        answer_parts=tuple(row.get("answer_parts", ())),
        type=row.get("type") or ("direct" if row["answerable"] else "unanswerable"),
        split=row.get("split", default_split),
    )


def load_questions(path: Path, default_split: str = "dev") -> list[QACase]:
    """A question file; rows without a split are dev (samples/questions.jsonl: the rules were
    tuned on it)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [_case(json.loads(line), default_split) for line in lines if line.strip()]


def sample_questions(path: Path = SAMPLES / "questions.jsonl") -> list[QACase]:
    return load_questions(path)
