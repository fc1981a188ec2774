"""The UI's page logic in Streamlit's AppTest: the real scripts against the real API (uvicorn on
a free port), plus the safe-rendering and stream-parsing helpers on their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serving
from secured import HR_SECRET, Keys
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from app.api import create_app
from app.conversation import Turn
from app.db.models import Feedback
from app.services import Services
from ui.api_client import BAD_KEY, parse_sse
from ui.safe_text import WORD_JOINER, escape, highlighted, supporting_sentence

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
INJECTION = "![x](http://evil.example/p.png) [눌러](javascript:alert(1)) <img src=x> $x$ :red[빨강]"


@pytest.fixture(scope="module")
def api_url(secured: Services, keys: Keys) -> Iterator[str]:
    with serving(create_app(secured)) as url:
        yield url


def _logged_in(api_url: str, key: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("KDOCQA_API_URL", api_url)
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.text_input[0].input(key)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def _bare_syntax(markdown: str) -> set[str]:
    """The Markdown/HTML characters left unescaped (a backslash pair is a literal)."""
    return set(re.sub(r"\\.", "", markdown)) & set("![]()<>$`*_")


def test_escaped_text_keeps_every_character_and_no_markdown_syntax() -> None:
    escaped = escape(INJECTION)
    assert _bare_syntax(escaped) == set()
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == INJECTION
    assert escape("www.evil.example") == f"www{WORD_JOINER}\\.evil\\.example"


def test_the_supporting_sentence_is_the_snippet_sentence_the_answer_shares_words_with() -> None:
    snippet = "제1조 목적. 신입사원의 연차는 입사 첫해 11일이다. 육아휴직은 1년이다."
    before, match, after = supporting_sentence(snippet, ["신입사원 연차는 11일입니다."])
    assert match == "신입사원의 연차는 입사 첫해 11일이다."
    assert before + match + after == snippet
    assert ":orange-background[" in highlighted(snippet, ["연차는 11일"])
    assert highlighted(snippet, ["무관한 말"]) == escape(snippet)


def test_server_sent_events_are_parsed_in_order() -> None:
    lines = ["event: token", 'data: "연"', "", "event: token", 'data: "차"', "", "event: answer"]
    lines += ['data: {"answer": "연차 [1]"}', ""]
    assert list(parse_sse(lines)) == [
        ("token", "연"),
        ("token", "차"),
        ("answer", {"answer": "연차 [1]"}),
    ]


def test_log_in_with_a_wrong_key_is_refused_in_korean(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _logged_in(api_url, "kdq_wrong", monkeypatch)
    assert [e.value for e in app.error] == [BAD_KEY]
    assert app.text_input[0].proto.type == 1, "a password field"


def test_a_reader_gets_the_chat_and_no_console_page(
    api_url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _logged_in(api_url, keys.hr, monkeypatch)
    assert app.title[0].value == "사내 문서 질의응답"
    assert [box.label for box in app.sidebar.selectbox] == ["지식베이스"]
    assert not [box for box in app.text_input if "그룹" in box.label], "no groups box"
    for console in ("views/documents.py", "views/sync.py", "views/admin.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(console)


def test_an_editor_gets_the_documents_console_and_an_admin_every_page(
    api_url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = _logged_in(api_url, keys.editor, monkeypatch)
    editor.switch_page("views/documents.py").run()
    assert editor.title[0].value == "문서 관리" and not editor.exception
    with pytest.raises(ValueError):
        editor.switch_page("views/admin.py")
    admin = _logged_in(api_url, keys.admin, monkeypatch)
    admin.switch_page("views/admin.py").run()
    assert not admin.exception, admin.exception
    keys_table = admin.dataframe[0].value
    assert {"hr-reader", "admin"} <= set(keys_table["name"])
    assert keys.hr not in str(keys_table)
    admin.switch_page("views/sync.py").run()
    assert admin.title[0].value == "동기화" and not admin.exception


def _served(secured: Services, keys: Keys) -> tuple[str, dict[str, Any]]:
    """A session of the hr reader holding one answer whose citation carries an injection."""
    hr = secured.keys.authenticate(keys.hr)
    assert hr is not None
    session = secured.conversations.start(hr.subject)
    snippet = f"{HR_SECRET} {INJECTION}"
    result = {
        "asked": "임원 연봉 인상률은?",
        "session_id": session,
        "question": "임원 연봉 인상률은?",
        "answer": "임원 연봉 인상률은 7.3퍼센트입니다. [1]",
        "refused": False,
        "refusal_reason": "",
        "citations": [
            {
                "number": 1,
                "document": "인사 기밀 ![y](http://evil.example/t.png)",
                "document_id": "00000000-0000-0000-0000-000000000000",
                "source_uri": "",
                "page": None,
                "place": "",
                "section": "인사 기밀 > 제1조",
                "snippet": snippet,
                "chunk_id": "c",
            }
        ],
        "consistency": {
            "score": 1.0,
            "sentences": [
                {
                    "text": "임원 연봉 인상률은 7.3퍼센트입니다.",
                    "label": "supported",
                    "score": 0.9,
                    "citations": [1],
                    "reasons": [],
                    "signals": {},
                }
            ],
        },
        "passages": [],
    }
    secured.conversations.add(session, Turn(result["question"], result["answer"], result))
    return session, result


def test_an_answer_renders_inert_and_its_thumbs_up_is_stored(
    api_url: str, keys: Keys, secured: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, result = _served(secured, keys)
    app = _logged_in(api_url, keys.hr, monkeypatch)
    app.session_state["session_id"] = session
    app.session_state["turns"] = [result]
    app.run()
    shown = [m.value for m in app.markdown]
    assert any(":orange-background[" in m and "ZEBRA\\-4471" in m for m in shown), shown
    card = next(m for m in shown if "ZEBRA" in m)
    assert _bare_syntax(card.replace(":orange-background[", "", 1).rstrip("]")) <= {"]"}
    title = next(m for m in shown if "evil" in m and "ZEBRA" not in m)
    assert _bare_syntax(title) == {"*"}, "only the bold of the card title"
    app.text_input(key="comment-0").input("정확합니다")
    app.button(key="rate-0-1").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    with secured.database.session() as s:
        rows = s.scalars(select(Feedback).where(Feedback.session_id == session)).all()
        assert [(r.turn, r.rating, r.comment) for r in rows] == [(0, 1, "정확합니다")]
    assert any("의견을 보냈습니다" in c.value for c in app.caption)
