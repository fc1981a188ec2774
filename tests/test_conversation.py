"""Multi-turn: a follow-up is rewritten into a standalone question before retrieval (real 1.5B
offline LLM through the API), and session memory stays bounded."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.api import create_app
from app.conversation import Conversations, Turn
from app.db.database import Database, default_url
from app.services import Services


def test_sessions_keep_recent_turns_for_their_owner_only(tmp_path: Path) -> None:
    database = Database(default_url(tmp_path))
    database.migrate()
    conversations = Conversations(database, max_turns=2)
    a = conversations.start("key:1")
    assert len(a) == 32 and a != conversations.start("key:1")
    for n in range(3):
        conversations.add(a, Turn(f"질문 {n}", f"답 {n}", {"n": n}))
    assert [(t.question, t.answer) for t in conversations.turns(a, "key:1") or []] == [
        ("질문 1", "답 1"),
        ("질문 2", "답 2"),
    ]
    listed = conversations.listed(a, "key:1") or []
    assert [t.record for t in listed] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert conversations.turns(a, "key:2") is None, "another caller's session is unknown"
    assert conversations.turns("0" * 32, "key:1") is None
    assert not conversations.delete(a, "key:2") and conversations.turns(a, "key:1")
    assert conversations.delete(a, "key:1") and conversations.turns(a, "key:1") is None


def test_follow_up_is_made_standalone_before_retrieval(services: Services) -> None:
    client = TestClient(create_app(services))
    first = client.post(
        "/v1/ask",
        json={
            "question": "임원이 유럽으로 출장 갈 때 하루 일비는 얼마인가요?",
            "knowledge_base": "samples",
        },
    ).json()
    session = first["session_id"]
    assert first["question"].startswith("임원이 유럽으로")  # a first question is not rewritten
    follow_up = client.post(
        "/v1/ask",
        json={"question": "숙박비는요?", "knowledge_base": "samples", "session_id": session},
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
    stored = client.get(f"/v1/sessions/{session}").json()["turns"]
    assert [turn.pop("asked") for turn in stored] == [
        "임원이 유럽으로 출장 갈 때 하루 일비는 얼마인가요?",
        "숙박비는요?",
    ]
    assert stored == [first, follow_up]
    unknown = client.get(f"/v1/sessions/{'0' * 32}").json()
    assert unknown["error"]["code"] == "unknown_session"
