"""Scanned notices of a fictional manufacturer, and questions about them (`--set scans`).

Four papers as they reach a Korean office's shared drive: a two-page scanned PDF whose notice
is on page 2 (fed skewed), a phone photo of a notice board (JPEG), a noisy one-page scan and a
noisy PNG. The text is written here, rendered with fonts-nanum and degraded by eval/scans.py,
so the only way into the index is OCR. The questions are phrased as employees talk and were
written with the notices, apart from any OCR or answer code; nothing is tuned on them (split
test). A question's `page` is the page its answer must be cited with (None for an image).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eval.datasets import QACase
from eval.scans import Condition, degrade, render_page, scanned_pdf


@dataclass(frozen=True)
class Notice:
    file: str
    condition: Condition
    lines: tuple[str, ...]
    cover: tuple[str, ...] = ()
    """Lines of a cover page before the notice (the notice is then page 2)."""


NOTICES = (
    Notice(
        "보안점검_공지.pdf",
        "skewed",
        (
            "제12조 (보안 점검)",
            "모든 직원은 매월 첫째 주 월요일에",
            "개인 컴퓨터의 보안 점검을 받아야 한다.",
            "점검을 받지 않은 컴퓨터는 사내망 접속이",
            "차단된다.",
            "문의는 정보보안팀(내선 4120)으로 한다.",
        ),
        cover=("대성정밀 사내 공지", "2026년 상반기", "총무팀"),
    ),
    Notice(
        "주차장_이용안내.jpg",
        "photo",
        (
            "주차장 이용 안내",
            "본관 지하 주차장은 오전 7시부터",
            "오후 10시까지 운영한다.",
            "직원 차량은 1인 1대만 등록할 수 있다.",
            "방문객 차량은 최대 3시간까지 무료로",
            "주차할 수 있다.",
            "등록 신청은 총무팀에 차량등록증 사본을",
            "내면 된다.",
        ),
    ),
    Notice(
        "출장비_개정공지.pdf",
        "noisy",
        (
            "출장비 지급 기준 개정",
            "(2026년 3월 1일 시행)",
            "국내 출장 일비는 1일 25,000원으로 한다.",
            "숙박비는 1박에 서울 90,000원, 그 외",
            "지역 70,000원까지 실비로 지급한다.",
            "출장 결과보고서는 복귀 후 5일 안에",
            "제출한다.",
        ),
    ),
    Notice(
        "안전교육_공지.png",
        "noisy",
        (
            "생산직 안전교육 일정",
            "신규 입사자는 입사 첫 주에 8시간의",
            "안전교육을 받는다.",
            "기존 생산직 직원은 분기마다 2시간씩",
            "정기 교육을 받는다.",
            "교육에 빠진 직원은 다음 달 보충 교육을",
            "신청해야 한다.",
        ),
    ),
)


def _case(
    n: int, question: str, answer: str, source: str, page: int | None, *accept: str
) -> QACase:
    return QACase(
        id=f"s{n:02d}",
        question=question,
        answer=answer,
        sources=(source,) if source else (),
        answerable=bool(source),
        accept=accept,
        type="scan" if source else "unanswerable",
        split="test",
        page=page,
    )


QUESTIONS = (
    _case(1, "컴퓨터 보안 점검은 언제 받아야 돼요?", "첫째 주 월요일", "보안점검_공지.pdf", 2),
    _case(2, "보안 점검 안 받으면 어떻게 돼요?", "차단", "보안점검_공지.pdf", 2),
    _case(3, "보안 쪽 문의는 내선 몇 번이에요?", "4120", "보안점검_공지.pdf", 2),
    _case(4, "회사 주차장 밤 몇 시까지 열어요?", "오후 10시", "주차장_이용안내.jpg", None, "22시"),
    _case(5, "손님 차는 몇 시간까지 공짜로 댈 수 있어요?", "3시간", "주차장_이용안내.jpg", None),
    _case(
        6, "서울로 출장 가면 숙박비 얼마까지 나와요?", "90,000원", "출장비_개정공지.pdf", 1, "9만"
    ),
    _case(7, "출장 다녀와서 보고서는 며칠 안에 내요?", "5일", "출장비_개정공지.pdf", 1),
    _case(8, "신입은 안전교육 몇 시간 들어야 돼요?", "8시간", "안전교육_공지.png", None),
    _case(9, "주차 등록하면 한 달 주차비는 얼마예요?", "", "", None),
    _case(10, "해외 출장 가면 일비 얼마 나와요?", "", "", None),
)


def write_notices(folder: Path) -> Path:
    """The four notices rendered, degraded and saved in `folder` as their file types."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, notice in enumerate(NOTICES):
        page = degrade(render_page(notice.lines), notice.condition, seed=seed)
        path = folder / notice.file
        if path.suffix == ".pdf":
            scanned_pdf([render_page(notice.cover), page] if notice.cover else [page], path)
        elif path.suffix == ".jpg":
            page.save(path, quality=80)
        else:
            page.save(path)
    return folder
