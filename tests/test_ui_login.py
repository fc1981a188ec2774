"""The chat UI logs in with an API key and never lets the user type access groups
(Streamlit's AppTest runs the real script; the API it calls is a real uvicorn server)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from secured import HR_SECRET, Keys
from streamlit.testing.v1 import AppTest

from app.api import create_app
from app.services import Services

CHAT = str(Path(__file__).resolve().parents[1] / "ui" / "chat.py")


@pytest.fixture(scope="module")
def api_url(secured: Services, keys: Keys) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(secured), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_the_sidebar_asks_for_a_key_and_not_for_groups(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KDOCQA_API_URL", api_url)
    app = AppTest.from_file(CHAT, default_timeout=60).run()
    labels = [box.label for box in app.sidebar.text_input]
    assert labels == ["API 키", "지식베이스"], labels
    assert app.sidebar.text_input[0].proto.type == 1, "a password field (TextInput.PASSWORD)"


def test_without_a_key_the_user_is_told_to_log_in_and_with_one_gets_their_documents(
    api_url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KDOCQA_API_URL", api_url)
    app = AppTest.from_file(CHAT, default_timeout=120).run()
    app.sidebar.text_input[1].input("hr-only")
    app.chat_input[0].set_value("연차는 며칠인가요?").run()
    assert any("API 키" in e.value for e in app.error), [e.value for e in app.error]
    app.sidebar.text_input[0].input(keys.sales)
    app.chat_input[0].set_value("ZEBRA-4471 임원 연봉 인상률은?").run()
    shown = " ".join(str(e.value) for e in [*app.error, *app.markdown])
    assert "알 수 없는 지식베이스" in shown and HR_SECRET not in shown
