"""`python -m eval feedback`: the employees' 👍 / 👎 as an evaluation question set.

Each rating becomes one row in eval/datasets.py's question format. A 👍 row's `sources` are the
files the approved answer cited (usable at once for retrieval recall); its `answer` is left
for a reviewer to fill with the short right answer, `served_answer` showing what was said. A
👎 row is a question the service got wrong: `sources` are what it cited (suspect), and the
reviewer writes the answer or marks it unanswerable. `type` says which (feedback-up/-down).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.db.database import Database
from app.db.models import Feedback


def feedback_rows(database: Database, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every rating with a question, oldest first, as question-set rows."""
    query = select(Feedback).order_by(Feedback.id)
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    with database.session() as s:
        return [_row(f) for f in s.scalars(query).all() if f.question]


def _row(feedback: Feedback) -> dict[str, Any]:
    return {
        "id": f"feedback-{feedback.id}",
        "question": feedback.question,
        "answer": "",
        "sources": list(feedback.cited or []),
        "answerable": True,
        "type": "feedback-up" if feedback.rating > 0 else "feedback-down",
        "split": "dev",
        "rating": feedback.rating,
        "comment": feedback.comment,
        "served_answer": feedback.answer,
        "rated_at": feedback.created_at.isoformat(timespec="seconds"),
    }


def run(database: Database, out: Path, since: datetime | None = None) -> dict[str, Any]:
    """Write the rows as JSON lines to `out` (loadable with eval.datasets.load_questions)."""
    rows = feedback_rows(database, since)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    up = sum(1 for r in rows if r["rating"] > 0)
    return {"questions": len(rows), "up": up, "down": len(rows) - up, "out": str(out)}
