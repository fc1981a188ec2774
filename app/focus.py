"""Query-focused passages: the prompt shows only the passage units closest to the question.

A small model misreads long passages (a neighbouring rule's figure, another table row), and the
prompt's length is most of the CPU latency. Each passage is cut into units (its lines, then
Korean sentences: a table row with its headers is one unit), the units are ranked by the
embedder's cosine to the question, which survives paraphrase where word overlap does not, and
the best `units` of all passages are shown in document order. The check and the citations still
read the whole passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from app.prompt import Passage
from retrieval.embedding import Embedder
from retrieval.korean import split_lines_and_sentences

ELISION = "…"


def focus_passages(
    question: str, passages: Sequence[Passage], embedder: Embedder, units: int
) -> list[Passage]:
    """The passages as the prompt shows them: only their `units` best units, in order, with
    "…" where units were left out; a passage left with none is not shown (the others keep their
    numbers, so [n] still points at the whole passage). `units` ≤ 0 shows passages whole."""
    cut = [(p, [u for u in split_lines_and_sentences(p.text) if u.strip()]) for p in passages]
    flat = [(i, j, unit) for i, (_, parts) in enumerate(cut) for j, unit in enumerate(parts)]
    if units <= 0 or len(flat) <= units:
        return list(passages)
    similarity = embedder.embed_passages([u for _, _, u in flat]) @ embedder.embed_query(question)
    best = np.argsort(-similarity, kind="stable")[:units]
    kept = {(flat[k][0], flat[k][1]) for k in best}
    shown: list[Passage] = []
    for i, (passage, parts) in enumerate(cut):
        chosen = [j for j in range(len(parts)) if (i, j) in kept]
        if chosen:
            shown.append(replace(passage, text=_join(parts, chosen)))
    return shown


def _join(parts: Sequence[str], chosen: Sequence[int]) -> str:
    """The chosen units, one per line, with an elision mark wherever units were skipped."""
    lines: list[str] = []
    previous = -1
    for j in chosen:
        if j != previous + 1:
            lines.append(ELISION)
        lines.append(parts[j].strip())
        previous = j
    if previous != len(parts) - 1:
        lines.append(ELISION)
    return "\n".join(lines)
