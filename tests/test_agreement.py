"""Sample agreement (eval/agreement.py): the probe's signal, read from saved samples."""

from __future__ import annotations

from eval.agreement import agreement, auroc


def test_agreement_counts_samples_that_keep_every_number_of_the_draft() -> None:
    draft = "[1] 연차는 15일이고 신청은 3일 전까지입니다."
    samples = ["[1] 15일, 3일 전 신청", "[2] 11일입니다.", "[1] 15일입니다."]
    assert agreement(draft, samples) == 1 / 3


def test_a_draft_without_numbers_agrees_by_overlap() -> None:
    draft = "[1] 인사팀에 신청합니다."
    assert agreement(draft, ["[1] 인사팀에 신청합니다.", "[1] 총무과 담당자에게 문의"]) == 0.5


def test_auroc_ranks_right_drafts_above_wrong_ones() -> None:
    def row(right: bool, p: float) -> dict[str, object]:
        return {"answerable": True, "draft_correct": right, "decision": {"probability": p}}

    rows = [row(True, 0.9), row(True, 0.4), row(False, 0.4), row(False, 0.1)]
    assert auroc(rows, "probability") == 0.875
    assert auroc([row(True, 0.5)], "probability") is None
