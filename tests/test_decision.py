"""The answer decision: fitted on dev rows, it shows right drafts and refuses wrong ones by the
signals the checker gives, with the threshold the cost of a wrong answer puts it at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.answer import Answerer, Timings
from app.consistency import ConsistencyResult, SentenceCheck
from app.consistency.calibration import Calibration
from app.consistency.decision import SIGNALS, answer_signals, decide, load_decision_model
from app.prompt import Passage
from app.services import Services
from eval.decision_fit import applied, fit, leave_one_out
from retrieval.store.base import SearchFilter


def _row(share: float, unknown: float, right: bool, answerable: bool = True) -> dict[str, Any]:
    signals = dict.fromkeys(SIGNALS, 0.0) | {
        "supported_share": share,
        "min_score": share,
        "topics_unknown": unknown,
    }
    return {"answerable": answerable, "draft_correct": right, "decision": {"signals": signals}}


def test_the_fit_separates_right_drafts_from_wrong_ones() -> None:
    rows = [_row(1.0, 0, True) for _ in range(12)] + [_row(0.0, 0, False) for _ in range(8)]
    rows += [_row(1.0, 2, False, answerable=False) for _ in range(6)]  # unanswerable, answered
    result = fit(rows)
    assert result["shown_right"] == 12 and result["shown_wrong"] == 0, result
    assert result["model"]["weights"]["topics_unknown"] < 0, result


def test_the_fit_is_estimated_on_rows_it_did_not_see() -> None:
    """Leave-one-out and a fitted model applied to other rows (a test split's) are what the
    README reports beside the in-sample fit."""
    rows = [_row(1.0, 0, True) for _ in range(12)] + [_row(0.0, 0, False) for _ in range(8)]
    rows.append(_row(0.9, 0, False))  # a wrong draft that looks right: shown whoever fits
    estimate = leave_one_out(rows)
    assert estimate["shown_right"] == 12 and estimate["shown_wrong"] == 1, estimate
    model = fit(rows)["model"]
    unseen = [_row(1.0, 0, True), _row(0.0, 0, True), _row(1.0, 0, False, answerable=False)]
    assert applied(model, unseen) == {
        "rows": 3,
        "right_drafts": 2,
        "shown_right": 1,
        "shown_wrong": 1,
        "refused_right": 1,
        "auroc": 0.25,  # the wrong draft ties the right one and outranks the other
    }


def test_a_standardised_fit_weighs_a_signal_of_small_range_by_what_it_separates() -> None:
    """The question gap separates right drafts from wrong ones in hundredths of a cosine: on
    the raw scale the penalty holds its weight near zero, and left-out rows on the edge fall
    the wrong side; standardised, its weight is what the separation earns."""

    def row(gap: float, right: bool, answerable: bool = True) -> dict[str, Any]:
        signals = {"supported_share": 1.0, "min_score": 0.9, "question_gap": gap}
        return {"answerable": answerable, "draft_correct": right, "decision": {"signals": signals}}

    rows = [row(0.0, True) for _ in range(12)] + [row(0.01, True) for _ in range(3)]
    rows += [row(0.04, False) for _ in range(6)] + [row(0.03, False, False) for _ in range(3)]
    signals = ("supported_share", "min_score", "question_gap")
    raw, scaled = fit(rows, 1.0, signals), fit(rows, 1.0, signals, standardize=True)
    assert (
        raw["model"]["weights"]["question_gap"]
        > -1
        > -50
        > scaled["model"]["weights"]["question_gap"]
    ), (raw, scaled)
    assert leave_one_out(rows, 1.0, signals)["shown_right"] < 15
    assert leave_one_out(rows, 1.0, signals, standardize=True)["shown_right"] == 15


def test_an_answer_that_makes_no_claim_is_never_shown() -> None:
    nothing = ConsistencyResult(None, [SentenceCheck("찾을 수 없습니다.", "no_claim", 1.0, [])])
    always = Calibration(dict.fromkeys(SIGNALS, 0.0), 10.0, 0.5)
    assert decide(nothing, always).show is False
    claim = SentenceCheck("연차는 15일입니다.", "supported", 0.9, [1])
    result = ConsistencyResult(1.0, [claim], ("스톡",))
    assert answer_signals(result)["topics_unknown"] == 1.0
    assert decide(result, always).show is True


def test_the_answer_threshold_setting_replaces_the_fitted_one(
    services: Services, tmp_path: Path
) -> None:
    """A company that prefers more answers (or fewer wrong ones) sets KDOCQA_ANSWER_THRESHOLD;
    the fitted weights stay."""
    fitted = load_decision_model()
    assert services.answerer.decision_model == fitted
    (tmp_path / "models").symlink_to(services.retrieval.models_dir.resolve())
    lenient = services.sharing_models(services.retrieval.model_copy(update={"data_dir": tmp_path}))
    lenient.app = services.app.model_copy(update={"answer_threshold": 0.2})
    try:
        model = lenient.answerer.decision_model
        assert model.threshold == 0.2 and model.weights == fitted.weights
    finally:
        lenient.close()


def test_a_refused_draft_says_why_and_names_the_words_no_document_holds(
    services: Services,
) -> None:
    """Every sentence passed but the decision refused: the reason is the decision's own
    probability (not "the model found nothing"), and a question word no document holds is
    named as a hint to ask in the documents' terms."""
    strict = Calibration(dict.fromkeys(SIGNALS, 0.0), 0.0, 0.99)  # P = 0.5: always refused
    answerer = Answerer(
        services.searcher, services.llm, services.app, services.answerer.checker, strict
    )
    passages = [
        Passage(
            1, "c1", "법인카드는 팀장 승인 시 50만 원까지 사용할 수 있다.", {"file_name": "카드.md"}
        )
    ]
    draft = "법인카드는 팀장 승인 시 50만 원까지 사용할 수 있습니다 [1]."
    result = answerer.finish(
        "뀨뀨 법인카드 얼마까지 긁어요?", draft, passages, Timings(), SearchFilter()
    )
    assert result.decision is not None and result.decision.signals["supported_share"] == 1.0
    assert result.refused and "확률이 낮습니다 (50%)" in result.refusal_reason
    assert "모델이 자료에서 답을 찾지 못했습니다" not in result.refusal_reason
    assert "질문의 '뀨뀨'은(는) 어느 문서에도 없는 말입니다" in result.refusal_reason
    assert result.refusal_reason.endswith("문서에 쓰인 말로 물어보세요.")
