from app.citations import (
    answer_sentences,
    clean_markers,
    markers_in,
    resolve_citations,
    with_markers,
    without_sentences,
)
from app.prompt import Passage

PASSAGES = [
    Passage(
        1,
        "c1",
        "연차휴가는 15일이다. 3년 이상 근속 시 가산한다.",
        {"title": "휴가규정", "page": 2, "section": "제5조 (연차휴가)", "document_id": "d1"},
    ),
    Passage(
        2,
        "c2",
        "병가는 연 10일까지 유급이다.",
        {"title": "휴가규정", "page": 3, "document_id": "d1"},
    ),
]


def test_markers_are_parsed_in_all_common_forms() -> None:
    assert markers_in("답입니다 [1]. 또 [2, 3] 그리고 [1][4]") == [1, 2, 3, 4]


def test_out_of_range_markers_are_dropped_never_shown() -> None:
    assert clean_markers("연차는 15일입니다 [1][7]. 병가는 10일 [2, 9].", {1, 2}) == (
        "연차는 15일입니다[1]. 병가는 10일[2]."
    )
    text, citations = resolve_citations("연차는 15일입니다. [5]", PASSAGES)
    assert "[5]" not in text and citations == []


def test_citation_resolves_to_document_page_section_and_supporting_sentence() -> None:
    _, citations = resolve_citations("연차휴가는 15일입니다. [1] 병가는 10일입니다. [2]", PASSAGES)
    assert [c.number for c in citations] == [1, 2]
    first = citations[0]
    assert (first.document, first.page, first.section, first.chunk_id) == (
        "휴가규정",
        2,
        "제5조 (연차휴가)",
        "c1",
    )
    assert first.snippet == "연차휴가는 15일이다."
    assert first.place == "p.2"


def test_citation_place_reads_as_the_file_does() -> None:
    """A page in a PDF, a slide in a deck, a sheet in a workbook."""
    payloads = [
        ({"file_type": "pdf", "page": 2}, "p.2"),
        ({"file_type": "pptx", "page": 4}, "슬라이드 4"),
        ({"file_type": "xlsx", "page": None, "sheet": "매출"}, "시트 매출"),
        ({"file_type": "md", "page": None}, ""),
    ]
    for payload, place in payloads:
        passage = Passage(1, "c1", "연차휴가는 15일이다.", {"title": "문서", **payload})
        _, citations = resolve_citations("연차휴가는 15일입니다. [1]", [passage])
        assert (citations[0].place, citations[0].sheet) == (place, payload.get("sheet"))


def test_marker_edits_keep_untouched_sentences_as_written() -> None:
    text = "연차는 15일입니다.[1] 경조금은 50만 원입니다. [2]"
    assert with_markers(text, [[1], None]) == text, "nothing settled differently"
    assert with_markers(text, [None, [3]]) == "연차는 15일입니다.[1] 경조금은 50만 원입니다. [3]"
    assert (
        without_sentences(text, [False, True], "(1개 숨김)") == "연차는 15일입니다.[1] (1개 숨김)"
    )


def test_a_line_break_ends_a_claim_and_its_markers_stay_with_it() -> None:
    """Kiwi alone reads a two-line answer without final punctuation as one sentence, which
    put both figures and both markers on one claim."""
    answer = "[1] 전체 직원 수: 1,184명\n[2] 직장어린이집 정원: 60명"
    sentences = answer_sentences(answer)
    assert sentences == ["[1] 전체 직원 수: 1,184명", "[2] 직장어린이집 정원: 60명"]
    assert [markers_in(s) for s in sentences] == [[1], [2]]
