"""Query-focused passages (app/focus.py), with the real offline embedder."""

from __future__ import annotations

from app.focus import ELISION, focus_passages
from app.prompt import Passage, build_messages
from retrieval.embedding import Embedder

TRAVEL = (
    "제1조(목적) 이 규정은 출장 경비의 지급 기준을 정한다.\n"
    "직급 | 숙박비 상한 | 일비\n"
    "과장 | 숙박비 상한: 100,000원 | 일비: 30,000원\n"
    "사원 | 숙박비 상한: 70,000원 | 일비: 20,000원\n"
    "제5조(정산) 출장자는 귀임 후 7일 이내에 경비를 정산한다."
)
SECURITY = (
    "제3조(비밀번호) 비밀번호는 90일마다 바꾼다.\n"
    "제4조(USB) 개인 USB 저장장치는 사용할 수 없다.\n"
    "제7조(교육) 모든 직원은 매년 정보보호 교육을 4시간 이상 받는다."
)


def _passages() -> list[Passage]:
    return [
        Passage(1, "a", TRAVEL, {"title": "출장규정.docx"}),
        Passage(2, "b", SECURITY, {"title": "보안지침.hwpx"}),
    ]


def test_the_prompt_keeps_the_units_closest_to_a_paraphrased_question(embedder: Embedder) -> None:
    # "잠자는 데" for 숙박비: the paraphrase shares no word with the row it needs.
    shown = focus_passages("과장이 출장 가서 잠자는 데 얼마까지 써도 돼?", _passages(), embedder, 2)
    text = "\n".join(p.text for p in shown)
    assert "100,000원" in text
    assert "90일" not in text and "4시간" not in text
    assert sum(len(p.text.splitlines()) - p.text.count(ELISION) for p in shown) == 2


def test_numbers_stay_and_whole_passages_remain_for_the_check(embedder: Embedder) -> None:
    passages = _passages()
    shown = focus_passages("비밀번호는 며칠마다 바꿔야 해?", passages, embedder, 1)
    assert [p.number for p in shown] == [2]  # the other passage is not shown, numbers kept
    assert shown[0].text == f"제3조(비밀번호) 비밀번호는 90일마다 바꾼다.\n{ELISION}"
    assert passages[1].text == SECURITY  # the caller's passages are not cut
    user = build_messages("비밀번호는 며칠마다 바꿔야 해?", shown)[1]["content"]
    assert "[2] 문서: 보안지침.hwpx" in user and "[1]" not in user


def test_zero_units_or_short_passages_are_shown_whole(embedder: Embedder) -> None:
    passages = _passages()
    assert focus_passages("출장비", passages, embedder, 0) == passages
    assert focus_passages("출장비", passages, embedder, 50) == passages
