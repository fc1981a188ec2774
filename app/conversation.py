"""Multi-turn conversations: recent turns per session, and follow-ups made standalone.

A follow-up such as "그럼 계약직은?" retrieves nothing useful on its own, so before retrieval
the LLM rewrites it into a standalone question from the session's recent turns. Only the
rewritten question goes on to retrieval and the answer prompt: the history itself would make
the prompt longer (slow on CPU) and let earlier answers leak in as unchecked "sources".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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


class Conversations:
    """Recent turns per session id, in memory and bounded: the oldest sessions are dropped."""

    def __init__(self, max_sessions: int = 1000, max_turns: int = 4) -> None:
        self._sessions: OrderedDict[str, list[Turn]] = OrderedDict()
        self._max_sessions, self._max_turns = max_sessions, max_turns
        self._lock = threading.Lock()

    def turns(self, session_id: str) -> list[Turn]:
        """Oldest first."""
        with self._lock:
            return list(self._sessions.get(session_id, []))

    def add(self, session_id: str, turn: Turn) -> None:
        with self._lock:
            turns = self._sessions.pop(session_id, [])
            self._sessions[session_id] = [*turns, turn][-self._max_turns :]
            while len(self._sessions) > self._max_sessions:
                self._sessions.popitem(last=False)


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
