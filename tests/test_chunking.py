from ingest.chunking import chunk_elements, split_heading
from ingest.elements import Element
from retrieval.embedding import Embedder


def test_statute_headings_build_the_section_path(embedder: Embedder) -> None:
    elements = [
        Element("title", "제1장 총칙"),
        Element("text", "제1조 (목적) 이 규정은 직원의 휴가에 관한 사항을 정한다.", page=1),
        Element("title", "제2장 휴가"),
        Element("text", "제5조 (연차휴가)", page=2),
        Element(
            "text", "회사는 1년간 80퍼센트 이상 출근한 직원에게 15일의 유급휴가를 준다.", page=2
        ),
    ]
    chunks = chunk_elements(elements, embedder.count_tokens, budget=200)
    assert [c.section_path for c in chunks] == [
        ["제1장 총칙", "제1조 (목적)"],
        ["제2장 휴가", "제5조 (연차휴가)"],
    ]
    assert chunks[0].text == "이 규정은 직원의 휴가에 관한 사항을 정한다."
    assert chunks[1].pages == [2]


def test_numbered_line_that_reads_as_a_sentence_is_not_a_heading() -> None:
    assert split_heading(Element("text", "1. 연차는 15일이다.")) is None
    assert split_heading(Element("text", "1. 적용 범위")) == (4, "1. 적용 범위", "")
    assert split_heading(Element("text", "가. 신청 절차")) == (5, "가. 신청 절차", "")


def test_long_text_splits_at_sentences_within_budget(embedder: Embedder) -> None:
    sentence = (
        "직원은 휴가를 신청할 때 그룹웨어에서 사유와 기간을 입력하고 팀장의 승인을 받아야 한다."
    )
    elements = [Element("text", " ".join([sentence] * 30), page=3)]
    chunks = chunk_elements(elements, embedder.count_tokens, budget=120)
    assert len(chunks) > 3
    for chunk in chunks:
        assert embedder.count_tokens(chunk.text) <= 120
        assert chunk.text.rstrip().endswith(".")
        assert chunk.pages == [3]


def test_long_table_is_split_by_rows_with_the_header_repeated(embedder: Embedder) -> None:
    rows = [f"| 직원{i:03d} | 영업{i % 7}팀 | 02-1234-{i:04d} |" for i in range(60)]
    table = "\n".join(["| 이름 | 부서 | 전화 |", "|---|---|---|", *rows])
    chunks = chunk_elements(
        [Element("table", table, page=1, sheet="연락처")], embedder.count_tokens, budget=150
    )
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.kind == "table" and chunk.sheet == "연락처"
        assert chunk.text.startswith("| 이름 | 부서 | 전화 |\n|---|---|---|")
    body_rows = [line for c in chunks for line in c.text.splitlines()[2:]]
    assert body_rows == rows
