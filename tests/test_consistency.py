"""The checker with the real embedding model and the shipped calibration. The LLM judge is
tests/test_llm.py and the `python -m eval consistency` figures; the real LLM appears here only
as the translator of claims in the other language."""

from __future__ import annotations

import pytest

from app.answer import with_checked_citations
from app.citations import resolve_citations, strip_markers
from app.consistency import ConsistencyChecker, answer_slots, load_calibrations, number_values
from app.consistency.conditions import other_condition_reasons
from app.consistency.decision import decide, load_decision_model
from app.consistency.figures import number_reasons
from app.prompt import REFUSAL_KO, Passage
from app.services import Services
from ingest.index import file_chunks
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder
from retrieval.korean import morphemes
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def checker(embedder: Embedder) -> ConsistencyChecker:
    return ConsistencyChecker(embedder)


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


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("회의는 15:00에 시작합니다.", "회의는 매주 월요일 15시에 시작한다."),
        ("회의는 오후 3시에 시작합니다.", "시작 시각: 15:00"),
        ("접수는 09:30부터입니다.", "접수는 오전 9시 30분부터 받는다."),
    ],
)
def test_times_of_day_compare_by_value(claim: str, source: str) -> None:
    """ "15:00" is one time, not the numbers 15 and 0 (a source writing "15시" lacks a 0)."""
    assert number_reasons(claim, source) == []
    assert number_reasons(claim.replace("3", "4").replace("15", "16"), source)


def test_supported_answer(checker: ConsistencyChecker) -> None:
    result = checker.check(
        "연차휴가는 15일입니다. [1] 법인카드는 50만 원까지 쓸 수 있습니다. [2]", SOURCE
    )
    assert [s.label for s in result.sentences] == ["supported", "supported"]
    assert result.score == 1.0
    assert all(
        s.signals["similarity"] > 0.8 and s.signals["overlap"] > 0.5 for s in result.sentences
    )


def test_changed_number_is_caught(checker: ConsistencyChecker) -> None:
    result = checker.check("연차휴가는 20일입니다. [1]", SOURCE)
    sentence = result.sentences[0]
    assert sentence.label == "unsupported"
    assert any("20" in reason for reason in sentence.reasons)
    assert result.score == 0.0


def test_number_from_an_uncited_passage_does_not_count(checker: ConsistencyChecker) -> None:
    # 50만 is in passage 2, but the sentence cites only passage 1.
    result = checker.check("경조사 휴가는 50만 원입니다. [1]", SOURCE)
    assert result.sentences[0].label == "unsupported"


def test_added_claim_with_unknown_name_is_caught(checker: ConsistencyChecker) -> None:
    result = checker.check("연차휴가는 15일입니다. [1] 담당자는 HR팀 Kim Minsu입니다. [1]", SOURCE)
    assert [s.label for s in result.sentences] == ["supported", "unsupported"]
    assert result.score == 0.5


def test_uncited_or_miscited_sentences_get_the_passage_that_supports_them(
    checker: ConsistencyChecker,
) -> None:
    answer = "연차휴가는 15일입니다. 법인카드는 50만 원까지 쓸 수 있습니다. [1]"
    result = checker.check(answer, SOURCE)
    assert [(s.label, s.citations) for s in result.sentences] == [
        ("supported", [1]),
        ("supported", [2]),
    ]
    assert "인용 없음에서 [1]로" in result.sentences[0].reasons[-1]
    assert "[1]에서 [2]로" in result.sentences[1].reasons[-1]
    text, citations = resolve_citations(with_checked_citations(answer, result), SOURCE)
    assert text == "연차휴가는 15일입니다.[1] 법인카드는 50만 원까지 쓸 수 있습니다.[2]"
    assert [c.number for c in citations] == [1, 2]


def test_an_uncited_claim_no_passage_supports_stays_unsupported(
    checker: ConsistencyChecker,
) -> None:
    result = checker.check("연차휴가는 30일입니다.", SOURCE)
    assert (result.sentences[0].label, result.sentences[0].citations) == ("unsupported", [])


def test_refusal_makes_no_claim(checker: ConsistencyChecker) -> None:
    result = checker.check(REFUSAL_KO, SOURCE)
    assert result.score is None
    assert result.sentences[0].label == "no_claim"


def test_restating_the_question_is_not_counter_evidence(checker: ConsistencyChecker) -> None:
    passages = [
        Passage(1, "c1", "| 구분 | 대상 | 지원 금액 |\n| 결혼 | 본인 | 1,000,000원 |", {}),
        Passage(2, "c2", "회사는 경조사 시 직원에게 경조금을 준다.", {}),
    ]
    answer = "본인 결혼 시 회사에서 주는 경조금은 1,000,000원입니다. [1]"
    assert checker.check(answer, passages).sentences[0].label == "unsupported"
    question = "본인 결혼 시 회사에서 주는 경조금은 얼마인가요?"
    assert checker.check(answer, passages, question=question).score == 1.0
    # ... but a restated question does not rescue a number the passage lacks.
    wrong = "본인 결혼 시 회사에서 주는 경조금은 2,000,000원입니다. [1]"
    assert checker.check(wrong, passages, question=question).score == 0.0


def test_a_unit_from_the_table_header_and_a_figure_from_the_question_are_not_new_claims(
    checker: ConsistencyChecker,
) -> None:
    table = Passage(1, "c1", "| 구분 | 2025년 3분기 (억 원) |\n| 매출액 | 148.6 |", {})
    result = checker.check("2025년 3분기 매출액은 148.6억 원입니다. [1]", [table])
    assert not any("숫자" in r for r in result.sentences[0].reasons), result
    question = "야근할 때 식대는 1인당 얼마까지 쓸 수 있나요?"
    passages = [
        Passage(1, "c1", "야근 식대는 인당 12,000원까지 쓸 수 있다.", {}),
        Passage(2, "c2", "출장 일비는 1일 50,000원이다.", {}),
    ]
    right = "야근할 때 식대는 1인당 12,000원까지 쓸 수 있습니다. [1]"
    assert checker.check(right, passages, question).sentences[0].label == "supported"
    wrong = checker.check(right.replace("12,000", "15,000"), passages, question)
    assert "숫자 15,000" in wrong.sentences[0].reasons[0], wrong


def test_a_miscited_figure_moves_to_the_passage_that_holds_it(
    checker: ConsistencyChecker,
) -> None:
    """The two passages closest to the sentence in embedding talk about 한라홀 too; only the
    table holds the figure, and it is tried first."""
    passages = [
        Passage(1, "c1", "한라홀은 총무팀의 승인이 필요하며, 전사 행사가 우선한다.", {}),
        Passage(2, "c2", "한라홀에는 몇 명까지 들어갈 수 있는지 예약 화면에서 확인할 수 있다.", {}),
        Passage(3, "c3", "한라홀은 최대 3시간까지 들어가서 쓸 수 있다.", {}),
        Passage(4, "c4", "| 회의실 | 위치 | 수용 인원 |\n| 한라홀 | 본사 12층 | 40명 |", {}),
    ]
    question = "한라홀은 몇 명까지 들어갈 수 있나요?"
    result = checker.check("한라홀은 40명까지 들어갈 수 있습니다. [1]", passages, question)
    assert result.sentences[0].citations == [4], result


def test_a_question_about_what_no_document_mentions_weighs_against_the_answer(
    checker: ConsistencyChecker,
) -> None:
    """The draft answers something else from a real passage without naming the topic: the
    sentence itself is supported, but the passage it cites lacks what was asked, which lowers
    the answer's probability; a topic no document mentions is reported."""
    passages = [Passage(1, "c1", "사내식당 조식은 07:30부터 08:50까지 운영한다.", {})]
    answer = "조식은 07:30부터 08:50까지 운영합니다. [1]"
    model = load_decision_model()
    covered = checker.check(answer, passages, "사내식당 조식은 몇 시까지 운영하나요?", set)
    question = "사내 어린이집은 몇 시까지 운영하나요?"
    known = checker.check(answer, passages, question, unknown_terms=lambda terms: set())
    assert known.sentences[0].label == "supported", "the documents use every word elsewhere"
    assert known.out_of_scope == () and covered.question_coverage == 1.0
    assert known.question_coverage < 1.0, "the cited passage does not hold '어린이집'"
    assert decide(known, model).probability < decide(covered, model).probability
    result = checker.check(answer, passages, question, unknown_terms=set)  # all unknown
    assert result.out_of_scope == ("어린이집",)
    assert result.sentences[0].label == "supported", "a topic labels no sentence"


def test_question_topic_missing_from_every_passage_is_not_rescued(
    checker: ConsistencyChecker,
) -> None:
    question = "스톡옵션은 입사 몇 년 차부터 받을 수 있나요?"
    passages = [Passage(1, "c1", "입사 2년 차부터 자기계발비를 받을 수 있다.", {})]
    answer = "스톡옵션은 입사 2년 차부터 받을 수 있습니다. [1]"
    result = checker.check(answer, passages, question=question)
    assert result.out_of_scope == ("스톡", "옵션")  # Kiwi splits the compound
    assert not decide(result, load_decision_model()).show


@pytest.mark.parametrize(
    ("question", "slots"),
    [
        ("김영삼의 나이는?", {"나이"}),
        ("1993년 김영삼 대통령이 금융권에 도입한 제도는?", {"제도"}),
        ("퇴직금 중간정산은 어떤 경우에 받을 수 있나요?", {"경우"}),
        ("리와 어떠한 인물이 게티즈버그를 향해 진군하였는가?", {"인물"}),
        ("퇴직금은 얼마인가요?", set()),
        ("사내 어린이집은 몇 시까지 운영하나요?", set()),
    ],
)
def test_answer_slots_are_the_nouns_that_name_the_kind_of_answer(
    question: str, slots: set[str]
) -> None:
    assert answer_slots(morphemes(question)) == slots


def test_a_restated_answer_slot_is_not_a_missing_topic(checker: ConsistencyChecker) -> None:
    """The passage names the person, never the word "인물" the question and answer use."""
    question = "하페즈 알아사드의 후계자이며 그의 아들인 인물은 누구인가?"
    passages = [
        Passage(
            1,
            "c1",
            "바샤르 알아사드는 하페즈 알아사드의 둘째 아들로, 2000년 아버지의 뒤를 이어 "
            "시리아 대통령이 되었다.",
            {},
        )
    ]
    answer = "하페즈 알아사드의 아들인 인물은 바샤르 알아사드입니다. [1]"
    known_elsewhere = checker.check(answer, passages, question, lambda terms: set())
    assert known_elsewhere.sentences[0].label == "supported", known_elsewhere
    # The topic guard still holds for the rest of the question: "후계자" is in no document.
    unknown = checker.check(answer, passages, question, set)  # all unknown
    assert unknown.out_of_scope == ("후계자",), unknown
    short = "하페즈 알아사드의 아들인 인물은 누구인가?"
    assert checker.check(answer, passages, short, set).out_of_scope == ()


def test_shipped_calibration_is_a_probability_model() -> None:
    models = load_calibrations()
    assert set(models) == {"lexical", "judge"}
    lexical = models["lexical"]
    assert all(w > 0 for w in lexical.weights.values()), "more overlap must mean more support"
    assert 0 < lexical.threshold < 1
    low = lexical.probability({"overlap": 0.0, "similarity": 0.5})
    high = lexical.probability({"overlap": 1.0, "similarity": 1.0})
    assert low < lexical.threshold < high


@pytest.fixture(scope="module")
def leave_rules(embedder: Embedder) -> list[Passage]:
    """A real chunk of a sample regulation (PDF) that states the annual-leave rules."""
    path = SAMPLES / "docs" / "인사_휴가규정.pdf"
    chunks = file_chunks(path, embedder.count_tokens, IngestSettings())
    text = next(c.text for c in chunks if "15일" in c.text and "연차" in c.text)
    return [Passage(1, "c1", text, {"title": "인사_휴가규정"})]


def test_corrupted_answers_from_a_real_document_are_caught(
    checker: ConsistencyChecker, leave_rules: list[Passage]
) -> None:
    sentence = next(s for s in leave_rules[0].text.split("\n") if "15일" in s).strip()
    clean = checker.check(f"{sentence} [1]", leave_rules)
    assert clean.sentences[0].label == "supported", clean
    changed = checker.check(f"{sentence.replace('15일', '20일', 1)} [1]", leave_rules)
    assert changed.sentences[0].label == "unsupported"
    assert any("20" in r for r in changed.sentences[0].reasons)
    added = checker.check(
        f"{sentence} [1] 연차를 쓰지 않으면 연말에 1일당 10만 원을 현금으로 보상한다. [1]",
        leave_rules,
    )
    assert [s.label for s in added.sentences] == ["supported", "unsupported"]


def test_swapped_name_is_caught(checker: ConsistencyChecker) -> None:
    passages = [Passage(1, "c1", "출장비 정산 승인은 재무팀 김지현 과장이 담당한다.", {})]
    result = checker.check("출장비 정산 승인은 재무팀 박서준 과장이 담당합니다. [1]", passages)
    assert result.sentences[0].label == "unsupported"
    assert any("박서준" in r for r in result.sentences[0].reasons)


def test_unrelated_claim_scores_below_threshold_without_a_guard(
    checker: ConsistencyChecker,
) -> None:
    passages = [
        Passage(1, "c1", "사내 식당은 평일 오전 11시 30분부터 오후 1시 30분까지 운영한다.", {})
    ]
    result = checker.check("보안 교육은 모든 임직원이 매년 이수해야 합니다. [1]", passages)
    sentence = result.sentences[0]
    assert sentence.label == "unsupported"
    assert sentence.score < checker.threshold
    assert sentence.signals["overlap"] < 0.3


def test_an_english_answer_over_korean_passages_is_checked_in_korean(
    embedder: Embedder, services: Services
) -> None:
    """Morpheme overlap is same-language: the claim is translated by the real LLM first, and
    the original's own figures must still be in the source."""
    passages = [
        Passage(1, "c1", "2025년 3분기 영업이익률은 12.0%로 전년 동기보다 1.5%p 올랐다.", {}),
        Passage(2, "c2", "3분기 매출액은 148.6억 원이다.", {}),
    ]
    question = "What was the operating margin in Q3 2025?"
    right = "The operating margin in Q3 2025 was 12.0%. [1]"
    wrong = "The operating margin in Q3 2025 was 15.0%. [1]"
    untranslated = ConsistencyChecker(embedder).check(right, passages, question)
    assert untranslated.sentences[0].label == "unsupported", "why the translation is needed"
    checker = ConsistencyChecker(embedder, translator=services.llm)
    checked = checker.check(right, passages, question).sentences[0]
    assert checked.label == "supported" and checked.text == strip_markers(right), checked
    assert "옮겨 확인했습니다" in checked.reasons[-1]
    refuted = checker.check(wrong, passages, question).sentences[0]
    assert refuted.label == "unsupported" and "숫자 15" in refuted.reasons[0], refuted


@pytest.mark.parametrize(
    ("claim", "source", "tied"),
    [
        # a figure from the neighbouring clause of the same sentence
        (
            "행정용 PC는 5분 동안 입력이 없으면 잠깁니다.",
            "진료용 PC는 5분, 행정용 PC는 10분 동안 입력이 없으면 잠긴다.",
            ["5"],
        ),
        # the verbatim sentence names both conditions with their own figures
        (
            "진료용 PC는 5분, 행정용 PC는 10분 동안 입력이 없으면 잠긴다.",
            "진료용 PC는 5분, 행정용 PC는 10분 동안 입력이 없으면 잠긴다.",
            [],
        ),
        # a cell of a labelled table row, read from the wrong row (3등급 광역시 is 100,000원)
        (
            "3등급 직원의 광역시 숙박비는 130,000원입니다.",
            "여비 등급 | 서울특별시 | 광역시\n2등급 | 서울특별시: 150,000원 | 광역시: 130,000원\n"
            "3등급 | 서울특별시: 120,000원 | 광역시: 100,000원",
            ["130,000"],
        ),
        (
            "3등급 직원의 광역시 숙박비는 100,000원입니다.",
            "여비 등급 | 서울특별시 | 광역시\n2등급 | 서울특별시: 150,000원 | 광역시: 130,000원\n3등급 | 서울특별시: 120,000원 | 광역시: 100,000원",
            [],
        ),
        # a date and a penalty in different clauses are different kinds of figure
        (
            "이수 기한은 2026년 11월 30일이며 어기면 2점이 감점됩니다.",
            "이수 기한: 2026년 11월 30일 / 기한 안에 이수하지 않으면 인사평가에서 2점을 감점",
            [],
        ),
    ],
)
def test_a_figure_must_come_from_the_claims_own_condition(
    claim: str, source: str, tied: list[str]
) -> None:
    reasons = other_condition_reasons(claim, source, frozenset())
    assert [r.split()[1].removesuffix("은(는)") for r in reasons] == tied, reasons


def test_the_condition_trap_is_never_labelled_supported(checker: ConsistencyChecker) -> None:
    """ "신입사원 연차" answered with the figure of employees past their first year."""
    rows = (
        "근속기간 | 연차휴가 | 비고\n"
        "1년 미만 | 연차휴가: 최대 11일 | 비고: 1개월 개근 시 1일\n"
        "1년 이상 3년 미만 | 연차휴가: 15일 | 비고: 기본"
    )
    passages = [Passage(1, "c1", rows, {"title": "취업규칙"})]
    question = "입사 1년 미만 신입사원 연차는 며칠이에요?"
    wrong = checker.check("입사 1년 미만이면 연차휴가는 15일입니다. [1]", passages, question)
    assert wrong.sentences[0].label == "unsupported", wrong
    assert "다른 조건의 값" in wrong.sentences[0].reasons[0]
    right = checker.check("입사 1년 미만이면 연차휴가는 최대 11일입니다. [1]", passages, question)
    assert right.sentences[0].label == "supported", right


@pytest.mark.parametrize(
    ("claim", "source", "factors", "computed"),
    [
        # the difference of two figures of one table row
        (
            "1분기 의료수익은 43억 원 늘었습니다.",
            "의료수익 | 2025년 1분기: 612억 원 | 2026년 1분기: 655억 원",
            set(),
            True,
        ),
        # a daily amount times the question's count of days
        ("택시비는 최대 90,000원까지 받습니다.", "택시비 | 1일 30,000원", {3.0}, True),
        # figures of two sentences are not combined (15일 + 5일)
        (
            "연차휴가는 20일입니다.",
            "연차휴가는 15일을 준다. 경조사 휴가는 본인 결혼 시 5일이다.",
            set(),
            False,
        ),
        # nor figures of another kind (3분기 + 12.0%)
        ("영업이익률은 15.0%입니다.", "2025년 3분기 영업이익률은 12.0%로 올랐다.", set(), False),
        # nor small differences, which a wrong day count would often match (5일 − 3일)
        ("조부모상은 2일입니다.", "부모상 5일, 조부모상 3일을 준다.", set(), False),
    ],
)
def test_a_figure_computed_from_its_source_is_not_missing(
    claim: str, source: str, factors: set[float], computed: bool
) -> None:
    reasons = number_reasons(claim, source, factors=frozenset(factors))
    assert (reasons == []) is computed, reasons


def test_a_claim_read_from_another_rule_than_the_one_asked_fits_the_question_less(
    checker: ConsistencyChecker,
) -> None:
    """The question fit and gap kept with the decision's signals: the unit a claim was read
    from, against the unit the question points to. A figure taken from the neighbouring rule
    is supported by its own sentence, so only the question tells it apart; by the embedder, so
    a paraphrase of the asked rule still fits."""
    passages = [
        Passage(
            1,
            "c1",
            "야간 당직 근무자에게는 1회 30,000원의 당직비를 지급한다.\n"
            "주말 비상 출근 시 교통비는 1회 15,000원까지 실비로 정산한다.\n"
            "명절에는 전 직원에게 100,000원 상당의 선물을 지급한다.",
            {},
        )
    ]
    question = "밤에 당직 서면 돈 얼마 받아요?"
    asked = checker.check("야간 당직비는 1회 30,000원입니다. [1]", passages, question)
    other = checker.check("주말 비상 출근 교통비는 15,000원입니다. [1]", passages, question)
    assert asked.sentences[0].label == other.sentences[0].label == "supported"
    right, wrong = asked.sentences[0].signals, other.sentences[0].signals
    assert right["question_gap"] == 0.0 < wrong["question_gap"], (right, wrong)
    assert right["question_fit"] > wrong["question_fit"]
