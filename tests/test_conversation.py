"""Multi-turn: a follow-up is rewritten into a standalone question before retrieval (real 1.5B
offline LLM through the API), and session memory stays bounded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api import create_app
from app.conversation import Conversations, Turn
from app.services import Services


def test_sessions_keep_recent_turns_and_drop_the_oldest_session() -> None:
    conversations = Conversations(max_sessions=2, max_turns=2)
    for n in range(3):
        conversations.add("a", Turn(f"질문 {n}", f"답 {n}"))
    assert [(t.question, t.answer) for t in conversations.turns("a")] == [
        ("질문 1", "답 1"),
        ("질문 2", "답 2"),
    ]
    conversations.add("b", Turn("질문", "답"))
    conversations.add("a", Turn("질문 3", "답 3"))  # "a" is now the most recent session
    conversations.add("c", Turn("질문", "답"))
    assert conversations.turns("b") == []  # least recently used, dropped
    assert len(conversations.turns("a")) == 2 and conversations.turns("c")
    assert conversations.turns("없는 세션") == []


def test_follow_up_is_made_standalone_before_retrieval(services: Services) -> None:
    client = TestClient(create_app(services))
    first = client.post(
        "/v1/ask",
        json={
            "question": "임원이 유럽으로 출장 갈 때 하루 일비는 얼마인가요?",
            "knowledge_base": "samples",
            "session_id": "s-1",
        },
    ).json()
    assert first["question"].startswith("임원이 유럽으로")  # a first question is not rewritten
    follow_up = client.post(
        "/v1/ask",
        json={"question": "숙박비는요?", "knowledge_base": "samples", "session_id": "s-1"},
    ).json()
    standalone = follow_up["question"]
    assert "숙박" in standalone and "출장" in standalone, standalone
    assert follow_up["timings"]["rewrite_ms"] > 0
    assert follow_up["passages"][0]["file_name"] == "출장_여비규정.docx", follow_up["passages"]
    # Without the session the same words are taken as they are.
    alone = client.post(
        "/v1/ask", json={"question": "숙박비는요?", "knowledge_base": "samples"}
    ).json()
    assert alone["question"] == "숙박비는요?" and alone["timings"]["rewrite_ms"] == 0
    # The session keeps both answers exactly as served, citations and check included.
    stored = client.get("/v1/sessions/s-1").json()["turns"]
    assert [turn.pop("asked") for turn in stored] == [
        "임원이 유럽으로 출장 갈 때 하루 일비는 얼마인가요?",
        "숙박비는요?",
    ]
    assert stored == [first, follow_up]
    assert client.get("/v1/sessions/없는-세션").json()["error"]["code"] == "unknown_session"
