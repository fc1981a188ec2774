"""Evidence-first answers: the quote a claim stands on is found in the passages mechanically,
and the claim's figures must be the quote's (eval/quote_eval.py, issue 14's design option)."""

from __future__ import annotations

from app.prompt import Passage
from eval.quote_eval import verify

PASSAGES = [
    Passage(
        1, "a", "원격 접속(VPN)은 전문의와 당직 전공의에게만 허용됩니다. 사용 기간은 1년입니다.", {}
    ),
    Passage(
        2,
        "b",
        "1. 1년간 80% 이상 출근한 직원에게는 15일의 유급 연차휴가를 준다.\n"
        "2. 계속 근로기간이 1년 미만인 직원에게는 1개월 개근 시 1일의 유급휴가를 주며, "
        "그 합계는 11일을 넘지 않는다.",
        {},
    ),
]
QUESTION = "입사 반년 된 신입은 연차 며칠이에요?"


def test_a_verbatim_quote_is_found_in_its_passage_whatever_number_the_model_gave() -> None:
    quote = "2. 계속 근로기간이 1년 미만인 직원에게는 1개월 개근 시 1일의 유급휴가를 주며, 그 합계는 11일을 넘지 않는다."
    claim = {"source": 1, "quote": quote, "answer": "최대 11일입니다."}
    assert verify(claim, PASSAGES, QUESTION) == (2, [])


def test_a_shortened_quote_still_counts_but_an_invented_one_does_not() -> None:
    shortened = {
        "source": 1,
        "quote": "VPN은 전문의와 당직 전공의에게만 허용됩니다.",
        "answer": "전문의와 당직 전공의",
    }
    assert verify(shortened, PASSAGES, "VPN 누가 쓸 수 있어요?") == (1, [])
    invented = {
        "source": 1,
        "quote": "VPN은 모든 직원이 신청할 수 있습니다.",
        "answer": "모든 직원",
    }
    _, reasons = verify(invented, PASSAGES, "VPN 누가 쓸 수 있어요?")
    assert reasons and reasons[0].startswith("quote not in any passage")


def test_a_figure_the_quote_does_not_hold_fails_the_claim() -> None:
    """The condition trap: the quote is the under-one-year rule, the answer the 15 days of
    another condition."""
    quote = "계속 근로기간이 1년 미만인 직원에게는 1개월 개근 시 1일의 유급휴가를 주며"
    claim = {"source": 2, "quote": quote, "answer": "신입은 15일입니다."}
    number, reasons = verify(claim, PASSAGES, QUESTION)
    assert number == 2 and reasons == ["figures not in quote: [15.0]"]
