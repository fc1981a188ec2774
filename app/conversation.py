"""Multi-turn conversations: recent turns per session, and follow-ups made standalone.

A follow-up such as "그럼 계약직은?" retrieves nothing useful on its own, so before retrieval
the LLM rewrites it into a standalone question from the session's recent turns. Only the
rewritten question goes on to retrieval and the answer prompt: the history itself would make
the prompt longer (slow on CPU) and let earlier answers leak in as unchecked "sources".
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from app.db.database import Database
from app.db.models import ChatSession, ChatTurn
from app.llm import LLM, Message, complete

_REWRITE_SYSTEM = (
    "대화 기록과 마지막 질문을 보고, 마지막 질문을 앞의 대화 없이도 이해되는 하나의 완전한 "
    "질문으로 다시 쓰세요. 생략된 주어와 대상을 대화에서 채우고, 질문만 한 줄로 출력하세요. "
    "답은 하지 마세요."
)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    record: Mapping[str, Any] = field(default_factory=dict)
    """The answer as it was served (citations and check included), returned unchanged."""


def new_session_id() -> str:
    """128 random bits, server-generated: a session id cannot be guessed or chosen."""
    return secrets.token_hex(16)


class Conversations:
    """Sessions and their turns in the database, each owned by the caller that started it.

    A session another caller owns reads exactly like one that does not exist, so its turns
    never feed someone else's follow-up rewrite. The rewrite uses the last `max_turns` turns;
    `GET /v1/sessions/{id}` returns up to `max_listed` of the latest.
    """

    def __init__(self, database: Database, max_turns: int = 4, max_listed: int = 100) -> None:
        self.database = database
        self._max_turns, self._max_listed = max_turns, max_listed

    def start(self, owner: str) -> str:
        session_id = new_session_id()
        with self.database.session() as s:
            s.add(ChatSession(id=session_id, owner=owner))
        return session_id

    def owns(self, session_id: str, owner: str) -> bool:
        with self.database.session() as s:
            found = s.get(ChatSession, session_id)
            return found is not None and found.owner == owner

    def turns(self, session_id: str, owner: str, recent: int | None = None) -> list[Turn] | None:
        """Oldest first (the last `recent`, default the rewrite's history length); None when the
        session does not exist or belongs to someone else."""
        if not self.owns(session_id, owner):
            return None
        query = (
            select(ChatTurn)
            .where(ChatTurn.session_id == session_id)
            .order_by(ChatTurn.id.desc())
            .limit(recent or self._max_turns)
        )
        with self.database.session() as s:
            rows = list(s.scalars(query).all())
        return [Turn(t.question, t.answer, t.record) for t in reversed(rows)]

    def listed(self, session_id: str, owner: str) -> list[Turn] | None:
        return self.turns(session_id, owner, self._max_listed)

    def owned(self, owner: str, limit: int = 50) -> list[dict[str, Any]]:
        """The owner's sessions, most recently used first: id, times, the first question (its
        title in a list) and the number of turns."""
        query = (
            select(ChatSession)
            .where(ChatSession.owner == owner)
            .order_by(ChatSession.updated_at.desc())
            .limit(limit)
        )
        with self.database.session() as s:
            listed = []
            for found in s.scalars(query).all():
                turns = select(ChatTurn.question).where(ChatTurn.session_id == found.id)
                questions = list(s.scalars(turns.order_by(ChatTurn.id)).all())
                if not questions:
                    continue  # started by a request that failed before any answer
                listed.append(
                    {
                        "session_id": found.id,
                        "title": questions[0][:80],
                        "turns": len(questions),
                        "created_at": found.created_at.isoformat(timespec="seconds"),
                        "updated_at": found.updated_at.isoformat(timespec="seconds"),
                    }
                )
            return listed

    def turn_at(self, session_id: str, owner: str, index: int | None) -> Turn | None:
        """The session's turn at a 0-based position (None: its latest); None when there is no
        such turn or the session is not the owner's."""
        if not self.owns(session_id, owner):
            return None
        query = select(ChatTurn).where(ChatTurn.session_id == session_id)
        if index is None:
            query = query.order_by(ChatTurn.id.desc()).limit(1)
        else:
            query = query.order_by(ChatTurn.id).offset(index).limit(1)
        with self.database.session() as s:
            found = s.scalars(query).first()
            return None if found is None else Turn(found.question, found.answer, found.record)

    def add(self, session_id: str, turn: Turn) -> None:
        with self.database.session() as s:
            s.add(
                ChatTurn(
                    session_id=session_id,
                    question=turn.question,
                    answer=turn.answer,
                    record=dict(turn.record),
                )
            )
            found = s.get(ChatSession, session_id)
            if found is not None:
                found.updated_at = datetime.now(UTC)

    def delete(self, session_id: str, owner: str) -> bool:
        if not self.owns(session_id, owner):
            return False
        with self.database.session() as s:
            s.execute(delete(ChatTurn).where(ChatTurn.session_id == session_id))
            s.execute(delete(ChatSession).where(ChatSession.id == session_id))
        return True


def standalone_question(llm: LLM, turns: Sequence[tuple[str, str]], question: str) -> str:
    """The follow-up rewritten with its context; the question itself when there is no history
    or the model's rewrite is unusable (empty, or far longer than a question)."""
    if not turns:
        return question
    history = "\n".join(f"사용자: {q}\n도우미: {a}" for q, a in turns)
    messages: list[Message] = [
        {"role": "system", "content": _REWRITE_SYSTEM},
        {"role": "user", "content": f"<대화>\n{history}\n</대화>\n\n마지막 질문: {question}"},
    ]
    lines = [line.strip() for line in complete(llm, messages, max_tokens=64).splitlines()]
    rewritten = next((line for line in lines if line), "")
    for prefix in ("다시 쓴 질문:", "질문:", "마지막 질문:"):
        rewritten = rewritten.removeprefix(prefix).strip()
    if not rewritten or len(rewritten) > 3 * len(question) + 120:
        return question
    return rewritten
