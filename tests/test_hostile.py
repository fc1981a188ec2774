"""Hostile names, knowledge bases and bodies get a 4xx, never a 5xx: nothing is written outside
the data directory and no temporary file is left behind (real API, real store, real parsers)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from secured import Keys, bearer

from app.services import Services
from ingest.elements import TooLarge
from ingest.parsers.hwp import _inflate, parse_hwp

REAL_HWP = (
    Path(__file__).parents[1].parent / "shared" / "data" / "real-docs" / "hwp" / "merging-cell.hwp"
)
DOC = "# 시험 문서\n\n## 제1조\n\n적대적 입력 시험용 문서입니다.\n".encode()


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")} if root.exists() else set()


@pytest.fixture
def untouched(secured: Services) -> object:
    """Yields, then checks: nothing new beside the data directory, no hidden leftovers."""
    data = secured.retrieval.data_dir
    outside = {p for p in data.parent.iterdir() if p != data}
    before = _tree(secured.uploads_dir)
    yield
    assert {p for p in data.parent.iterdir() if p != data} == outside
    leftovers = [
        p
        for p in _tree(secured.uploads_dir) - before
        if p.name.startswith((".upload-", ".previous-", ".staged-"))
    ]
    assert leftovers == []


def _raw_upload(api: TestClient, key: str, name: bytes, kb: bytes, body: bytes = DOC) -> int:
    """A multipart body written byte for byte (a client library would escape the name)."""
    content = (
        b'--b\r\nContent-Disposition: form-data; name="knowledge_base"\r\n\r\n' + kb + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="' + name + b'"\r\n'
        b"Content-Type: text/markdown\r\n\r\n" + body + b"\r\n--b--\r\n"
    )
    response = api.post(
        "/v1/documents",
        content=content,
        headers={**bearer(key), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code < 500, response.text
    assert "error" in response.json() or response.status_code == 200
    return response.status_code


def _upload(api: TestClient, key: str, name: str, kb: str = "leak-edit") -> int:
    raw = (name.encode("utf-8", "surrogatepass"), kb.encode("utf-8", "surrogatepass"))
    return _raw_upload(api, key, *raw)


@pytest.mark.parametrize(
    "kb",
    [
        "/etc",
        "../escape",
        "../../tmp/x",
        "a\x00b",
        "가" * 300,
        "인사\u202e",
        "a/b",
        ".",
        "..",
        "\ud800",
    ],
)
def test_hostile_knowledge_bases_are_422(
    api: TestClient, keys: Keys, untouched: object, kb: str
) -> None:
    assert _upload(api, keys.admin, "정상.md", kb) == 422


@pytest.mark.parametrize(
    "name",
    [
        "../../evil.md",
        "/etc/evil.md",
        "..\\evil.md",
        "사내\\evil.md",
        "a\x00b.md",
        "가" * 250 + ".md",
        "보고서\u202edm.exe",
        "\u200f숨김.md",
        ".hidden.md",
        "..",
        " 앞공백.md",
        "\ud800.md",
    ],
)
def test_hostile_file_names_are_422(
    api: TestClient, keys: Keys, untouched: object, name: str
) -> None:
    assert _upload(api, keys.admin, name) == 422


def test_a_windows_full_path_keeps_only_its_last_part(
    api: TestClient, keys: Keys, secured: Services, untouched: object
) -> None:
    """Old browsers send "C:\\Users\\…\\name"; the form parser keeps the name alone."""
    assert _upload(api, keys.admin, "C:\\Users\\kim\\윈도우.md") == 200
    assert (secured.uploads_dir / "leak-edit" / "윈도우.md").is_file()
    gone = api.delete("/v1/documents/leak-edit/윈도우.md", headers=bearer(keys.admin))
    assert gone.status_code == 200


def test_a_lone_surrogate_in_a_file_name_or_knowledge_base_is_a_4xx(
    api: TestClient, keys: Keys, untouched: object
) -> None:
    assert 400 <= _raw_upload(api, keys.admin, b"x\xed\xa0\x80.md", b"leak-edit") < 500
    assert 400 <= _raw_upload(api, keys.admin, b"x.md", b"kb\xed\xa0\x80") < 500


@pytest.mark.parametrize(
    "body",
    [
        '{"question": "\\ud800 연차"}',
        '{"question": "연차", "knowledge_base": "\\udfff"}',
        '{"question": "연차", "groups": ["\\ud800"]}',
        '{"question": "연차", "knowledge_base": "../../etc"}',
        '{"question": "연차", "knowledge_base": "' + "가" * 300 + '"}',
        '{"question": "연차", "session_id": "../../x"}',
        '{"question": "연차", "file_types": ["' + "p" * 500 + '"]}',
        '{"question": "연차", "top_k": 100000}',
        '{"question": ' + "[" * 5000 + "]" * 5000 + "}",
        "[" * 100_000,
        '{"question": "연차"',
        b'{"question": "\xff\xfe"}',
    ],
)
def test_hostile_json_bodies_are_4xx(api: TestClient, keys: Keys, body: str | bytes) -> None:
    content = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    for route in ("/v1/search", "/v1/ask", "/v1/ask/stream"):
        response = api.post(
            route,
            content=content,
            headers={**bearer(keys.admin), "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (route, response.status_code, response.text)
        assert response.json()["error"]["code"]


def test_json_over_the_size_limit_is_413_before_it_is_parsed(api: TestClient, keys: Keys) -> None:
    big = b'{"question": "' + b"a" * (2 * 1_048_576) + b'"}'
    response = api.post(
        "/v1/search",
        content=big,
        headers={**bearer(keys.admin), "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"

    def chunks() -> object:  # no Content-Length: counted as it streams in
        for _ in range(3):
            yield b"[" * 1_048_576

    streamed = api.post(
        "/v1/search",
        content=chunks(),  # type: ignore[arg-type]
        headers={**bearer(keys.admin), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_a_60_mb_upload_is_refused_from_its_content_length(
    api: TestClient, keys: Keys, secured: Services, untouched: object
) -> None:
    """The limit is the upload size plus 1 MB of form overhead; the fixture allows 2 MB."""
    body = b"\0" * (60 * 1_048_576)
    response = api.post(
        "/v1/documents",
        content=body,
        headers={**bearer(keys.admin), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_a_chunked_upload_is_cut_off_once_it_passes_the_limit(
    api: TestClient, keys: Keys, untouched: object
) -> None:
    sent = 0

    def chunks() -> object:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(60):
            sent += 1
            yield b"x" * 1_048_576
        yield b"\r\n--b--\r\n"

    response = api.post(
        "/v1/documents",
        content=chunks(),  # type: ignore[arg-type]
        headers={**bearer(keys.admin), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413, response.text


def test_a_foreign_host_header_is_refused(api: TestClient) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host."""
    assert api.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert api.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_hwp_sections_inflate_only_up_to_the_limit(tmp_path: Path) -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = bomb.compress(b"\0" * (64 * 1_048_576)) + bomb.flush()
    assert len(raw) < 100_000
    with pytest.raises(TooLarge):
        _inflate(raw, "폭탄.hwp", 1_048_576)
    assert len(_inflate(raw, "폭탄.hwp", 64 * 1_048_576)) == 64 * 1_048_576
    with pytest.raises(TooLarge):
        parse_hwp(REAL_HWP, max_unpacked_mb=0.001)
    assert parse_hwp(REAL_HWP), "the same file within the limit parses"


def test_an_upload_whose_parser_hangs_costs_one_worker(
    api: TestClient, keys: Keys, secured: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse runs on the isolated worker: past the time limit it is killed, the upload is
    a clean 422 and the next upload parses on a fresh worker."""
    pool = secured.upload_pool
    # A cold worker (spawned, importing the parsers) takes far longer than the limit; a warm
    # one could finish a small file before the limit is even looked at, so start cold.
    pool.close()
    monkeypatch.setattr(pool, "timeout_s", 0.001)
    assert _upload(api, keys.admin, "느린 문서.md") == 422
    monkeypatch.setattr(pool, "timeout_s", 120.0)
    assert _upload(api, keys.admin, "느린 문서.md") == 200
    assert (
        api.delete("/v1/documents/leak-edit/느린 문서.md", headers=bearer(keys.admin)).status_code
        == 200
    )
