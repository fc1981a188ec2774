from ingest.chunking import chunk_elements, split_heading
from ingest.elements import Element
from ingest.tables import Table, table_text
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
    body = tuple((f"직원{i:03d}", f"영업{i % 7}팀", f"02-1234-{i:04d}") for i in range(60))
    table = Table(body, header=(("이름", "부서", "전화"),), row_header=True)
    rows = [f"{name} | 부서: {team} | 전화: {phone}" for name, team, phone in body]
    element = Element("table", table_text(table), page=1, sheet="연락처", table=table)
    chunks = chunk_elements([element], embedder.count_tokens, budget=150)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.kind == "table" and chunk.sheet == "연락처"
        assert chunk.text.startswith("이름 | 부서 | 전화\n")
        assert embedder.count_tokens(chunk.text) <= 150
    body_rows = [line for c in chunks for line in c.text.splitlines()[1:]]
    assert body_rows == rows


def test_row_too_wide_for_a_chunk_is_cut_between_cells_keeping_its_row_header(
    embedder: Embedder,
) -> None:
    months = [f"{m}월" for m in range(1, 13)]
    header = (("부서", *months),)
    body = (("영업1팀", *[f"{m * 1_000_000:,}원" for m in range(1, 13)]),)
    table = Table(body, header=header, row_header=True, caption="2025년 월별 예산")
    element = Element("table", table_text(table), table=table)
    heading = ["2025년 월별 예산", "부서 | " + " | ".join(months)]
    row = table_text(table).splitlines()[-1]
    assert embedder.count_tokens("\n".join([*heading, row])) > 100
    chunks = chunk_elements([element], embedder.count_tokens, budget=100)
    assert len(chunks) > 1
    for chunk in chunks:
        lines = chunk.text.splitlines()
        assert lines[:2] == heading and len(lines) == 3
        assert lines[2].startswith("영업1팀 | ")
        assert embedder.count_tokens(chunk.text) <= 100
    cells = [cell for c in chunks for cell in c.text.splitlines()[2].split(" | ")[1:]]
    assert cells == [f"{m}월: {m * 1_000_000:,}원" for m in range(1, 13)]
