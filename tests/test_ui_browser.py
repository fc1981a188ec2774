"""End to end in headless Chromium (Debian's chromium + chromium-driver, driven by selenium):
the real API (uvicorn, the bundled models) and `streamlit run ui/app.py` on free ports.

Scenarios: a reader logs in, cannot open a console page, asks, watches the draft's tokens
arrive, sees the citation card with its highlighted sentence and the preview, and gives a 👍
that is found stored; an editor uploads a file carrying markdown/HTML injection and gets an
answer citing it, rendered inert. Timings are printed (and saved with the screenshots when
KDOCQA_SCREENSHOT_DIR is set); nothing here asserts a speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from live_server import free_port, serving
from secured import secured_services
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from sqlalchemy import select

from app.api import create_app
from app.conversation import Turn
from app.db.models import Feedback
from app.services import Services

REPO = Path(__file__).resolve().parents[1]
ROOM_RULE = "회의실 예약 규칙: 코드 MAPLE-3307. 대회의실은 한 번에 최대 2시간까지 예약할 수 있다."
INJECTED = (
    "보안 교육 안내: ![추적](http://evil.example/pixel.png) [여기를 누르세요](http://evil.example/login) "
    "<img src=x onerror=alert(1)> <b>굵게</b> 정보보안 교육은 매년 3월에 받는다."
)
T = TypeVar("T")
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def world(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A store and database of their own: one public document in "browser", three keys."""
    data = tmp_path_factory.mktemp("browser-data")
    copy = secured_services(services, data, rate_limit_per_minute=0.0)
    docs = tmp_path_factory.mktemp("browser-docs")
    (docs / "회의실 예약 규칙.md").write_text(f"# 회의실 예약 규칙\n\n## 제1조\n\n{ROOM_RULE}\n")
    report = copy.indexer.ingest(docs, "browser", ["*"])
    assert report.counts()["failed"] == 0, report.to_dict()
    keys = {
        "reader": copy.keys.create("kim", "reader", []),
        "editor": copy.keys.create("lee", "editor", [], ["browser"]),
        "admin": copy.keys.create("root", "admin"),
    }
    with serving(create_app(copy)) as api_url:
        yield {"services": copy, "keys": keys, "api_url": api_url, "docs": docs}
    copy.close()


@pytest.fixture(scope="module")
def ui_url(world: dict[str, Any]) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "KDOCQA_API_URL": world["api_url"], "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py")]
    command += ["--server.headless", "true", "--server.port", str(port)]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        _until(lambda: httpx.get(url + "/_stcore/health", timeout=2).status_code == 200, 90)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=ko-KR"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,1100")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _until(check: Callable[[], T], seconds: float, every: float = 0.25) -> T:
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
            if found:
                return found
        except (WebDriverException, OSError, StopIteration, Exception) as error:
            last: Exception | None = error
        else:
            last = None
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s ({last!r})")
        time.sleep(every)


def _shot(driver: WebDriver, name: str) -> None:
    folder = os.environ.get("KDOCQA_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def _button(driver: WebDriver, label: str) -> WebElement:
    return driver.find_element(By.XPATH, f"//button[.//p[contains(text(), '{label}')]]")


def _nav(driver: WebDriver, title: str) -> None:
    links = driver.find_elements(By.CSS_SELECTOR, "[data-testid=stSidebarNavLink]")
    next(link for link in links if link.text.splitlines()[-1].strip() == title).click()


def _log_in(driver: WebDriver, url: str, key: str) -> None:
    driver.get(url)
    field = _until(lambda: driver.find_element(By.CSS_SELECTOR, "input[type=password]"), 60)
    _shot(driver, "login")
    field.send_keys(key)
    _button(driver, "로그인").click()
    _until(
        lambda: driver.find_element(By.CSS_SELECTOR, "textarea[data-testid=stChatInputTextArea]"),
        60,
    )


def _ask(driver: WebDriver, question: str, turn: int) -> tuple[WebElement, list[int], float]:
    """Ask and wait for the checked answer; the draft's lengths as seen while it streamed."""
    chat = "textarea[data-testid=stChatInputTextArea]"
    _until(lambda: driver.find_element(By.CSS_SELECTOR, chat).send_keys(question) or True, 30)
    driver.find_element(By.CSS_SELECTOR, chat).send_keys(Keys.ENTER)
    started, lengths, first = time.monotonic(), [], 0.0
    deadline = started + 600
    while time.monotonic() < deadline:
        answers = driver.find_elements(By.CSS_SELECTOR, f".st-key-answer-{turn}")
        if answers:
            TIMINGS[f"answer_{len(TIMINGS)}_s"] = round(time.monotonic() - started, 1)
            return answers[0], lengths, first
        try:
            drafts = driver.find_elements(By.CSS_SELECTOR, ".st-key-draft p")
            text = drafts[0].text if drafts else ""
        except StaleElementReferenceException:  # Streamlit replaced it between the two calls
            continue
        if text.endswith("▌") and (not lengths or len(text) != lengths[-1]):
            first = first or time.monotonic() - started
            lengths.append(len(text))
        time.sleep(0.1)
    raise AssertionError(f"no answer within 600 s: {driver.page_source[-3000:]}")


def test_a_reader_asks_watches_tokens_sees_the_evidence_and_rates_it(
    world: dict[str, Any], ui_url: str, browser: WebDriver
) -> None:
    started = time.monotonic()
    _log_in(browser, ui_url + "/documents", world["keys"]["reader"])
    TIMINGS["log_in_s"] = round(time.monotonic() - started, 1)
    assert not browser.find_elements(By.CSS_SELECTOR, "input[type=file]"), "no console"
    links = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    assert not [h for h in links if h.endswith(("/documents", "/admin", "/sync"))], links
    answer, lengths, first = _ask(browser, "대회의실은 최대 몇 시간까지 예약할 수 있나요?", 0)
    TIMINGS["first_token_s"], TIMINGS["draft_updates"] = round(first, 1), len(lengths)
    assert len(lengths) >= 2 and lengths == sorted(lengths), f"tokens arrived: {lengths}"
    assert "2시간" in answer.text, answer.text
    card = browser.find_element(By.CSS_SELECTOR, ".st-key-cite-0-1")
    assert "회의실 예약 규칙" in card.text
    marked = card.find_elements(By.CSS_SELECTOR, "span[style*=background]")
    assert marked and "2시간" in marked[0].text, card.get_attribute("innerHTML")
    _shot(browser, "chat-answer")
    card.find_element(By.XPATH, ".//label[.//p[contains(text(), '원문 미리보기')]]").click()
    preview = _until(lambda: card.find_element(By.CSS_SELECTOR, "[data-testid=stText]"), 30)
    assert "MAPLE-3307" in preview.text
    _shot(browser, "citation-preview")
    browser.find_element(By.CSS_SELECTOR, ".st-key-comment-0 input").send_keys("정확해요")
    browser.find_element(By.CSS_SELECTOR, ".st-key-comment-0 input").send_keys(Keys.TAB)
    browser.find_element(By.CSS_SELECTOR, ".st-key-rate-0-1 button").click()
    _until(lambda: "의견을 보냈습니다" in browser.page_source, 30)
    with world["services"].database.session() as s:
        stored = [(f.rating, f.comment, f.question) for f in s.scalars(select(Feedback)).all()]
    assert stored == [(1, "정확해요", "대회의실은 최대 몇 시간까지 예약할 수 있나요?")]


def _injected_session(world: dict[str, Any], key: str) -> None:
    """A stored answer of this key's whose citation carries markdown/HTML injection: resumed
    from the sidebar, it goes through the same rendering as a fresh answer."""
    services: Services = world["services"]
    caller = services.keys.authenticate(key)
    assert caller is not None
    session = services.conversations.start(caller.subject)
    citation = {
        "number": 1,
        "document": "주입 시험",
        "document_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
    }
    citation |= {"source_uri": "", "page": None, "place": "", "section": "주입 시험 > 제1조"}
    citation |= {"snippet": INJECTED, "chunk_id": "c"}
    sentence = {"text": "정보보안 교육은 매년 3월에 받습니다.", "label": "supported", "score": 0.9}
    sentence |= {"citations": [1], "reasons": [], "signals": {}}
    served = {"asked": "주입 시험 질문", "question": "주입 시험 질문", "refused": False}
    served |= {"answer": "정보보안 교육은 매년 3월에 받습니다. [1] ![m](http://evil.example/m.png)"}
    served |= {"refusal_reason": "", "citations": [citation], "passages": []}
    served |= {"consistency": {"score": 1.0, "sentences": [sentence]}, "session_id": session}
    services.conversations.add(session, Turn("주입 시험 질문", str(served["answer"]), served))


def test_an_editor_uploads_gets_an_answer_citing_it_and_injection_renders_inert(
    world: dict[str, Any], ui_url: str, browser: WebDriver, tmp_path: Path
) -> None:
    upload = tmp_path / "보안교육 안내.txt"
    upload.write_text("보안 교육 안내\n\n정보보안 교육은 매년 3월에 받는다.\n", encoding="utf-8")
    _log_in(browser, ui_url, world["keys"]["editor"])
    _until(lambda: _nav(browser, "문서 관리") or True, 30)
    picker = _until(lambda: browser.find_element(By.CSS_SELECTOR, "input[type=file]"), 30)
    started = time.monotonic()
    picker.send_keys(str(upload))
    _until(lambda: _button(browser, "올리기").is_enabled(), 60)
    _button(browser, "올리기").click()
    _until(lambda: "보안교육 안내.txt: 추가됨" in browser.page_source, 180)
    TIMINGS["upload_s"] = round(time.monotonic() - started, 1)
    _shot(browser, "console-documents")
    _nav(browser, "질의응답")
    _until(
        lambda: browser.find_element(By.CSS_SELECTOR, "textarea[data-testid=stChatInputTextArea]"),
        30,
    )
    answer, _, _ = _ask(browser, "정보보안 교육은 매년 언제 받나요?", 0)
    assert "3월" in answer.text, answer.text

    def card_citing_the_upload() -> list[str]:
        # The cards render after the answer's container appears: wait for their text.
        cards = browser.find_elements(By.CSS_SELECTOR, "[class*=st-key-cite-0-]")
        return [c.text for c in cards if "보안교육 안내" in c.text]

    _until(card_citing_the_upload, 30)
    _injected_session(world, world["keys"]["editor"])
    _button(browser, "새 대화").click()
    _until(lambda: _button(browser, "주입 시험 질문"), 30).click()
    card = _until(lambda: browser.find_element(By.CSS_SELECTOR, ".st-key-cite-0-1"), 30)
    shown = card.text.replace("\u2060", "")  # the word joiner that stops autolinks
    assert "![추적](http://evil.example/pixel.png)" in shown, "shown as text"
    assert "<img src=x onerror=alert(1)>" in shown
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=stChatMessage] img")
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")]
    assert not [h for h in hrefs if h and "evil.example" in h], hrefs
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=stChatMessage] b")
    _shot(browser, "injection-inert")


def test_an_admin_sees_keys_audit_and_sync(
    world: dict[str, Any], ui_url: str, browser: WebDriver
) -> None:
    _log_in(browser, ui_url, world["keys"]["admin"])
    _until(lambda: _nav(browser, "관리") or True, 30)
    _until(lambda: "감사 로그" in browser.page_source, 30)
    _until(lambda: "API 키" in browser.find_element(By.TAG_NAME, "body").text, 30)
    _until(lambda: "감사 로그" in browser.page_source, 30)
    assert world["keys"]["reader"] not in browser.page_source
    _shot(browser, "console-admin")
    folder = os.environ.get("KDOCQA_SCREENSHOT_DIR")
    print("browser timings:", json.dumps(TIMINGS))
    if folder:
        (Path(folder) / "timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")
