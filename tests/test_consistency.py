from app.consistency import check_answer, number_values
from app.prompt import REFUSAL_KO, Passage

SOURCE = [
    Passage(
        1,
        "c1",
        "연차휴가는 1년간 80퍼센트 이상 출근한 직원에게 15일을 준다. 경조사 휴가는 본인 결혼 시 5일이다.",
        {},
    ),
    Passage(
        2, "c2", "법인카드는 팀장 승인 시 50만 원까지 사용할 수 있다. 담당 부서는 재무팀이다.", {}
    ),
]


def test_korean_amounts_compare_by_value() -> None:
    assert number_values("50만 원") == number_values("500,000원") == {500000.0}
    assert 2025.0 in number_values("2025년 3월 1일")


def test_supported_answer() -> None:
    result = check_answer(
        "연차휴가는 15일입니다. [1] 법인카드는 50만 원까지 쓸 수 있습니다. [2]", SOURCE
    )
    assert [s.label for s in result.sentences] == ["supported", "supported"]
    assert result.score == 1.0


def test_changed_number_is_caught() -> None:
    result = check_answer("연차휴가는 20일입니다. [1]", SOURCE)
    sentence = result.sentences[0]
    assert sentence.label == "unsupported"
    assert any("20" in reason for reason in sentence.reasons)
    assert result.score == 0.0


def test_number_from_an_uncited_passage_does_not_count() -> None:
    # 50만 is in passage 2, but the sentence cites only passage 1.
    result = check_answer("경조사 휴가는 50만 원입니다. [1]", SOURCE)
    assert result.sentences[0].label == "unsupported"


def test_added_claim_with_unknown_name_is_caught() -> None:
    result = check_answer("연차휴가는 15일입니다. [1] 담당자는 HR팀 Kim Minsu입니다. [1]", SOURCE)
    assert [s.label for s in result.sentences] == ["supported", "unsupported"]
    assert result.score == 0.5


def test_sentence_without_citation_is_unsupported() -> None:
    result = check_answer("연차휴가는 15일입니다.", SOURCE)
    assert result.sentences[0].label == "unsupported"


def test_refusal_makes_no_claim() -> None:
    result = check_answer(REFUSAL_KO, SOURCE)
    assert result.score is None
    assert result.sentences[0].label == "no_claim"


def test_restating_the_question_is_not_counter_evidence() -> None:
    passages = [
        Passage(1, "c1", "| 구분 | 대상 | 지원 금액 |\n| 결혼 | 본인 | 1,000,000원 |", {}),
        Passage(2, "c2", "회사는 경조사 시 직원에게 경조금을 준다.", {}),
    ]
    answer = "본인 결혼 시 회사에서 주는 경조금은 1,000,000원입니다. [1]"
    assert check_answer(answer, passages).sentences[0].label == "unsupported"
    question = "본인 결혼 시 회사에서 주는 경조금은 얼마인가요?"
    assert check_answer(answer, passages, question=question).score == 1.0
    # ... but a restated question does not rescue a number the passage lacks.
    wrong = "본인 결혼 시 회사에서 주는 경조금은 2,000,000원입니다. [1]"
    assert check_answer(wrong, passages, question=question).score == 0.0


def test_question_topic_missing_from_every_passage_is_not_rescued() -> None:
    question = "스톡옵션은 입사 몇 년 차부터 받을 수 있나요?"
    passages = [Passage(1, "c1", "입사 2년 차부터 자기계발비를 받을 수 있다.", {})]
    answer = "스톡옵션은 입사 2년 차부터 받을 수 있습니다. [1]"
    assert check_answer(answer, passages, question=question).score == 0.0
