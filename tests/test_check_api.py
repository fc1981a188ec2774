"""POST /v1/check: another app's answer checked as /v1/ask checks its own — the same
`consistency` object, the same checker and decision, keys required like every /v1 route."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.secured import Keys, bearer

ROWS = (
    "근속기간 | 연차휴가 | 비고\n"
    "1년 미만 | 연차휴가: 최대 11일 | 비고: 1개월 개근 시 1일\n"
    "1년 이상 3년 미만 | 연차휴가: 15일 | 비고: 기본"
)
PASSAGES = [
    {"number": 1, "document": "취업규칙", "text": ROWS},
    {"number": 2, "document": "복리후생", "text": "경조금은 본인 결혼 시 50만 원을 지급한다."},
]
QUESTION = "입사 1년 미만 신입사원 연차는 며칠이에요?"


def _check(api: TestClient, key: str, answer: str, **extra: Any) -> Any:
    body = {"question": QUESTION, "answer": answer, "passages": PASSAGES, **extra}
    return api.post("/v1/check", json=body, headers=bearer(key))


def test_the_contract_is_the_consistency_object_of_ask(api: TestClient, keys: Keys) -> None:
    answer = "입사 1년 미만이면 연차휴가는 최대 11일입니다. [1]"
    response = _check(api, keys.hr, answer, question="1년 미만이면 연차휴가는 며칠인가요?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"score", "sentences", "out_of_scope", "decision"}
    (sentence,) = body["sentences"]
    assert sentence["label"] == "supported" and sentence["citations"] == [1], sentence
    assert set(sentence) >= {"text", "label", "score", "citations", "reasons", "signals"}
    assert body["score"] == 1.0 and body["decision"]["shown"] is True


def test_the_condition_trap_is_not_labelled_supported(api: TestClient, keys: Keys) -> None:
    """The figure of employees past their first year, given for a new employee."""
    body = _check(api, keys.sales, "입사 1년 미만이면 연차휴가는 15일입니다. [1]").json()
    (sentence,) = body["sentences"]
    assert sentence["label"] == "unsupported", body
    assert any("다른 조건의 값" in reason for reason in sentence["reasons"]), sentence


def test_a_marker_to_no_given_passage_is_dropped(api: TestClient, keys: Keys) -> None:
    """[7] points at nothing given: dropped, and the passage that supports the claim cited."""
    body = _check(api, keys.hr, "본인 결혼 경조금은 50만 원입니다. [7]").json()
    (sentence,) = body["sentences"]
    assert sentence["citations"] == [2], sentence
    assert "인용을 인용 없음에서 [2]로 바로잡았습니다" in sentence["reasons"], sentence


@pytest.mark.parametrize(
    "body",
    [
        {"answer": "11일입니다. [1]", "passages": []},
        {"answer": "   ", "passages": PASSAGES},
        {"answer": "11일 [1]", "passages": [PASSAGES[0], {**PASSAGES[1], "number": 1}]},
        {"answer": "11일 [1]", "passages": [{"number": 1, "text": "가" * 20_001}]},
        {"answer": "가" * 5_001, "passages": PASSAGES},
    ],
)
def test_bad_bodies_are_422(api: TestClient, keys: Keys, body: dict[str, Any]) -> None:
    response = api.post("/v1/check", json=body, headers=bearer(keys.hr))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in {"validation_error", "invalid_answer"}


def test_a_key_is_required(api: TestClient, keys: Keys) -> None:
    body = {"answer": "11일 [1]", "passages": PASSAGES}
    assert api.post("/v1/check", json=body).status_code == 401
    assert api.post("/v1/check", json=body, headers=bearer("kdq_wrong")).status_code == 401
