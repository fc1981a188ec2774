"""The answer prompt: the worked example every question is asked after."""

from __future__ import annotations

from app.consistency import ConsistencyChecker
from app.prompt import (
    EXAMPLE_ANSWER,
    EXAMPLE_PASSAGES,
    EXAMPLE_QUESTION,
    Passage,
    build_messages,
)
from retrieval.embedding import Embedder

PASSAGES = [
    Passage(1, "c1", "보안 USB의 사용 기간은 승인일로부터 6개월이다.", {"file_name": "보안.md"})
]


def test_every_question_is_asked_after_the_same_example_turn() -> None:
    """The same prefix for every question is what lets llama.cpp keep it in the KV cache."""
    first = build_messages("보안 USB 몇 달 써요?", PASSAGES)
    second = build_messages("카페 몇 시에 열어요?", [])
    assert first[:3] == second[:3]
    assert [m["role"] for m in first] == ["system", "user", "assistant", "user"]
    assert first[-1]["content"].endswith("질문: 보안 USB 몇 달 써요?")
    assert "[1] 문서: 보안.md\n보안 USB의 사용 기간" in first[-1]["content"]


def test_the_example_answer_is_one_the_shipped_check_supports(embedder: Embedder) -> None:
    """The demonstration must be an answer the check accepts: the visitor's price from the
    row and column asked (not the employee's 2,000원), cited to the passage that holds it."""
    checker = ConsistencyChecker(embedder)
    result = checker.check(EXAMPLE_ANSWER, EXAMPLE_PASSAGES, EXAMPLE_QUESTION)
    assert [(s.label, s.citations) for s in result.sentences] == [("supported", [2])]
    wrong_row = EXAMPLE_ANSWER.replace("3,500원", "2,000원")
    wrong = checker.check(wrong_row, EXAMPLE_PASSAGES, EXAMPLE_QUESTION)
    assert wrong.sentences[0].label == "unsupported"
