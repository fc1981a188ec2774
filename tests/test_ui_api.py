"""The routes the UI needs: POST /v1/feedback (and its export as a question set), GET
/v1/sessions, GET /v1/me and the page preview, each under the caller's identity."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from secured import HR_SECRET, Keys, bearer
from sqlalchemy import select

from app.api import create_app
from app.conversation import Turn
from app.db.models import Feedback
from app.services import Services
from eval.datasets import load_questions
from eval.feedback_export import run as export_feedback
from retrieval.store.base import SearchFilter


def _hr_session(secured: Services, keys: Keys) -> str:
    hr = secured.keys.authenticate(keys.hr)
    assert hr is not None
    session = secured.conversations.start(hr.subject)
    served = {"asked": "임원 연봉 인상률은?", "answer": "7.3퍼센트입니다. [1]"}
    served["citations"] = [{"number": 1, "document": "인사 기밀.md"}]  # type: ignore[assignment]
    secured.conversations.add(session, Turn("임원 연봉 인상률은?", "7.3퍼센트입니다. [1]", served))
    secured.conversations.add(session, Turn("그럼 작년은?", "모릅니다.", {"asked": "그럼 작년은?"}))
    return session


def test_feedback_names_a_turn_of_ones_own_session_and_exports_as_questions(
    api: TestClient, keys: Keys, secured: Services, tmp_path: Path
) -> None:
    session = _hr_session(secured, keys)
    body = {"session_id": session, "turn": 0, "rating": 1, "comment": "정확해요"}
    for other in (keys.sales, keys.admin):
        assert api.post("/v1/feedback", json=body, headers=bearer(other)).status_code == 404
    missing = api.post("/v1/feedback", json={**body, "turn": 5}, headers=bearer(keys.hr))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_turn"
    assert (
        api.post("/v1/feedback", json={**body, "rating": 0}, headers=bearer(keys.hr)).status_code
        == 422
    )
    stored = api.post("/v1/feedback", json=body, headers=bearer(keys.hr))
    assert stored.status_code == 201, stored.text
    latest = api.post(
        f"/v1/sessions/{session}/feedback", json={"rating": -1}, headers=bearer(keys.hr)
    )
    assert latest.status_code == 201
    with secured.database.session() as s:
        rows = [f for f in s.scalars(select(Feedback)).all() if f.session_id == session]
    assert [(r.turn, r.rating, r.question) for r in rows] == [
        (0, 1, "임원 연봉 인상률은?"),
        (None, -1, "그럼 작년은?"),
    ]
    assert rows[0].cited == ["인사 기밀.md"] and rows[0].comment == "정확해요"
    assert api.delete(f"/v1/sessions/{session}", headers=bearer(keys.hr)).status_code == 204
    out = tmp_path / "feedback.jsonl"
    summary = export_feedback(secured.database, out)
    assert summary["questions"] >= 2, "kept after the session is deleted"
    cases = {c.question: c for c in load_questions(out)}
    assert cases["임원 연봉 인상률은?"].sources == ("인사 기밀.md",)
    assert cases["임원 연봉 인상률은?"].type == "feedback-up"
    assert cases["그럼 작년은?"].type == "feedback-down"
    row = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert {"served_answer", "comment", "rating"} <= set(row)


def test_sessions_list_only_the_callers_own_with_their_first_question(
    api: TestClient, keys: Keys, secured: Services
) -> None:
    session = _hr_session(secured, keys)
    mine = api.get("/v1/sessions", headers=bearer(keys.hr)).json()["sessions"]
    found = next(s for s in mine if s["session_id"] == session)
    assert found["title"] == "임원 연봉 인상률은?" and found["turns"] == 2
    theirs = api.get("/v1/sessions", headers=bearer(keys.sales)).json()["sessions"]
    assert session not in {s["session_id"] for s in theirs}
    assert api.get("/v1/sessions").status_code == 401


def test_me_says_who_the_key_is_and_never_the_key(api: TestClient, keys: Keys) -> None:
    who = api.get("/v1/me", headers=bearer(keys.editor))
    assert who.json() == {
        "name": "hr-editor",
        "role": "editor",
        "groups": ["hr"],
        "knowledge_bases": ["leak-edit"],
    }
    assert keys.editor not in who.text
    assert api.get("/v1/me", headers=bearer("kdq_wrong")).status_code == 401


def _document_id(services: Services, file_name: str, kb: str | None = None) -> str:
    search_filter = SearchFilter(knowledge_bases=[kb] if kb else None)
    for hit in services.store.scroll(search_filter, fields=["document_id", "file_name"]):
        if hit.payload["file_name"] == file_name:
            return str(hit.payload["document_id"])
    raise AssertionError(f"{file_name} is not indexed")


def test_the_preview_respects_who_may_read_the_document(
    api: TestClient, keys: Keys, secured: Services
) -> None:
    secret = _document_id(secured, "인사 기밀.md", "hr-only")
    url = f"/v1/documents/{secret}/preview"
    hidden = api.get(url, headers=bearer(keys.sales))
    assert hidden.status_code == 404 and HR_SECRET not in hidden.text
    unknown = api.get(
        "/v1/documents/00000000-0000-0000-0000-000000000000/preview", headers=bearer(keys.hr)
    )
    assert unknown.status_code == 404
    shown = api.get(url, headers=bearer(keys.hr))
    assert shown.status_code == 200
    assert shown.json()["chunks"][0]["text"].count("ZEBRA-4471") == 1
    assert api.get(url + "?page=0", headers=bearer(keys.hr)).status_code == 422


def test_a_pdf_page_is_rendered_bounded_and_other_formats_give_the_section_text(
    services: Services,
) -> None:
    client = TestClient(create_app(services))
    pdf = _document_id(services, "인사_휴가규정.pdf")
    page = client.get(f"/v1/documents/{pdf}/preview?page=1")
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(page.content))
    assert max(image.size) <= services.app.preview_max_px and min(image.size) > 200
    assert client.get(f"/v1/documents/{pdf}/preview?page=999").status_code == 404
    text = client.get(f"/v1/documents/{pdf}/preview?page=1&format=text").json()
    assert text["chunks"] and all(1 in c["pages"] for c in text["chunks"])
    sheet = _document_id(services, "복리후생_지원기준표.xlsx")
    rows = client.get(f"/v1/documents/{sheet}/preview").json()
    assert rows["file_type"] == "xlsx" and rows["chunks"][0]["sheet"]
