"""Tables read as the model needs them: every cell next to its row and column headers.

Real files in every format (the samples, and DOCX/XLSX/HWPX files written here with
python-docx, openpyxl and the OWPML layout Hancom writes), merged cells in each format's own
encoding (DOCX gridSpan/vMerge, XLSX merged ranges, HWPX rowSpan/colSpan), units stated once,
tables without a header row, and the chunks the index stores.
"""

from __future__ import annotations

from pathlib import Path

from ingest.chunking import chunk_elements
from ingest.elements import Element
from ingest.parsers import parse_file
from ingest.parsers.blocks import Para, Table, TableCell, to_elements
from retrieval.embedding import Embedder
from tests.conftest import SAMPLES
from tests.test_parsers import _hwpx, _p, _tc, no_network

__all__ = ["no_network"]  # the parsers' network guard applies here too (autouse)

DOCS = SAMPLES / "docs"


def table_lines(elements: list[Element]) -> list[list[str]]:
    return [e.text.splitlines() for e in elements if e.kind == "table"]


# -- the samples ----------------------------------------------------------------------------


def test_docx_sample_grade_table_cell_carries_grade_and_region() -> None:
    domestic, overseas = table_lines(parse_file(DOCS / "출장_여비규정.docx"))
    assert domestic[0] == "직급 | 일비 | 숙박비 상한 (서울·광역시) | 숙박비 상한 (기타 지역)"
    assert (
        "수석·책임 | 일비: 35,000원 | 숙박비 상한 (서울·광역시): 110,000원 | "
        "숙박비 상한 (기타 지역): 90,000원"
    ) in domestic
    assert "직원 | 미주·유럽: US$90 | 일본·중국: US$70 | 동남아·기타: US$60" in overseas


def test_xlsx_sample_rows_and_notes() -> None:
    sheets = {e.sheet: e.text.splitlines() for e in parse_file(DOCS / "복리후생_지원기준표.xlsx")}
    condolence = sheets["경조금"]
    assert condolence[0] == "구분 | 대상 | 지원 금액 | 지원 물품 | 신청 기한"
    assert (
        "사망 | 대상: 조부모 또는 형제자매 | 지원 금액: 130,000원 | 지원 물품: 근조 화환 | "
        "신청 기한: 사유 발생 후 6개월 이내"
    ) in condolence
    # A note written under the table stands on its own, not as a cell of an empty row.
    assert condolence[-1].startswith("※ 경조금은 누리웍스")
    assert (
        "본인 | 주기: 연 1회 | 지원 한도: 전액 (최대 450,000원) | 비고: 검진일 유급 공가 1일"
        in (sheets["건강검진"])
    )


def test_hwpx_sample_floor_table() -> None:
    (floors,) = table_lines(parse_file(DOCS / "사무실_안전_소방수칙.hwpx"))
    assert floors[0] == "층 | 주요 부서 | 안전관리자 | 내선"
    assert "8층 | 주요 부서: 컨설팅팀 | 안전관리자: 조아라 팀장 | 내선: 4501" in floors


def test_pdf_sample_tables_with_unit_from_caption_and_wrapped_cell() -> None:
    """PDF tables are found from where PDFium prints the cells; "(단위: 억 원)" in the
    caption reaches the bare figures, and a cell wrapped over two lines is one cell."""
    elements = parse_file(DOCS / "2025년 3분기 경영실적 보고서.pdf")
    profit, segments = table_lines(elements)
    assert profit[0] == "구분 | 2025년 3분기 | 2024년 3분기 | 증감률"
    assert "영업이익 | 2025년 3분기: 17.9억 원 | 2024년 3분기: 14.1억 원 | 증감률: +27.0%" in profit
    assert segments[1] == (
        "클라우드 문서관리(누리독스) | 2025년 3분기: 62.3억 원 | 비중: 41.9% | "
        "전년 동기: 49.9억 원 | 증감률: +24.8%"
    )
    texts = [e.text for e in elements if e.kind == "text"]
    assert "[표 1] 분기 손익 비교 (단위: 억 원)" in texts  # the caption stays as text
    assert not any(t.startswith("매출액 148.6") for t in texts)  # rows are not repeated
    leave = table_lines(parse_file(DOCS / "인사_휴가규정.pdf"))
    assert "출산 | 대상: 배우자 | 휴가 일수: 20일" in leave[1]


def _pdf(path: Path, pages: list[list[list[tuple[int, str]]]]) -> Path:
    """A PDF whose lines are (x, text) runs on a baseline 18 pt apart, in Helvetica."""
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for lines in pages:
        runs = [
            f"BT /F1 10 Tf {x} {780 - 18 * n} Td ({text}) Tj ET"
            for n, line in enumerate(lines)
            for x, text in line
        ]
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream("\n".join(runs).encode())
    pdf.save(path)
    return path


def test_pdf_table_continued_on_the_next_page_keeps_its_header(tmp_path: Path) -> None:
    """The rows that open page 2 are read under page 1's header (not as a header of their
    own), and rows at the page edges are not mistaken for running headers or footers."""
    columns = [70, 200, 330, 460]

    def row(*cells: str) -> list[tuple[int, str]]:
        return list(zip(columns, cells, strict=True))

    grade = [row(f"Grade {i}", f"{i}0,000", f"{i}1,000", f"{i}2,000") for i in range(1, 8)]
    first = [
        [(70, "Article 3 (Travel expenses)")],
        [(70, "Travel expenses are paid within the limits of the following table, as shown.")],
        [(70, "Table 1. Lodging limits")],
        row("Grade", "Daily", "Seoul", "Other"),
        *grade[:4],
    ]
    second = [
        *grade[4:],
        [(70, "Rates are revised every year by the finance team after a review.")],
        [(70, "Article 4 (Claims)")],
        [(70, "Claims are filed within one month of the trip.")],
    ]
    elements = parse_file(_pdf(tmp_path / "travel.pdf", [first, second]))
    tables = [(e.page, e.text.splitlines()) for e in elements if e.kind == "table"]
    assert [page for page, _ in tables] == [1, 2]
    assert tables[1][1] == [
        "Grade | Daily | Seoul | Other",
        "Grade 5 | Daily: 50,000 | Seoul: 51,000 | Other: 52,000",
        "Grade 6 | Daily: 60,000 | Seoul: 61,000 | Other: 62,000",
        "Grade 7 | Daily: 70,000 | Seoul: 71,000 | Other: 72,000",
    ]
    assert "Grade 4 | Daily: 40,000 | Seoul: 41,000 | Other: 42,000" in tables[0][1]


# -- merged cells, written here in each format ----------------------------------------------

GRADE_LINES = [
    "직급 | 구분 | 숙박비 상한 (광역시) | 숙박비 상한 (기타 지역)",
    "과장·대리 | 구분: 성수기 | 숙박비 상한 (광역시): 100,000원 | 숙박비 상한 (기타 지역): 80,000원",
    "과장·대리 | 구분: 비수기 | 숙박비 상한 (광역시): 90,000원 | 숙박비 상한 (기타 지역): 70,000원",
    "사원 | 구분: 전 기간 | 숙박비 상한 (광역시): 85,000원 | 숙박비 상한 (기타 지역): 65,000원",
]
"""A two-row header (직급 and 구분 merged down, 숙박비 상한 merged across) over a grade
merged down two rows, as every format below writes it."""
GRADE_ROWS = [
    ["과장·대리", "성수기", "100,000원", "80,000원"],
    ["", "비수기", "90,000원", "70,000원"],
    ["사원", "전 기간", "85,000원", "65,000원"],
]


def test_docx_grid_span_and_vertical_merge(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("출장 시 숙박비는 다음 한도 안에서 실비로 지급한다.")
    table = document.add_table(rows=5, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "직급"
    table.cell(0, 1).merge(table.cell(1, 1)).text = "구분"
    table.cell(0, 2).merge(table.cell(0, 3)).text = "숙박비 상한"
    table.cell(1, 2).text, table.cell(1, 3).text = "광역시", "기타 지역"
    table.cell(2, 0).merge(table.cell(3, 0))
    for r, row in enumerate(GRADE_ROWS, start=2):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    path = tmp_path / "숙박비.docx"
    document.save(str(path))
    assert table_lines(parse_file(path)) == [GRADE_LINES]


def test_xlsx_merged_ranges_title_unit_and_number_formats(tmp_path: Path) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "숙박비"
    sheet["A1"] = "출장 숙박비 상한 (단위: 원)"
    sheet.merge_cells("A1:D1")
    sheet["A2"], sheet["B2"], sheet["C2"] = "직급", "구분", "숙박비 상한"
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:D2")
    sheet["C3"], sheet["D3"] = "광역시", "기타 지역"
    for r, row in enumerate(GRADE_ROWS, start=4):
        for c, value in enumerate(row, start=1):
            if value[:1].isdigit():
                cell = sheet.cell(row=r, column=c, value=int(value[:-1].replace(",", "")))
                cell.number_format = "#,##0" if r == 4 else "General"
            elif value:
                sheet.cell(row=r, column=c, value=value)
    sheet.merge_cells("A4:A5")
    summary = book.create_sheet("요약")
    summary.append(["항목", "값"])
    summary.append(["집행률", 0.125])
    summary["B2"].number_format = "0.0%"
    summary.append(["기준일", datetime.datetime(2025, 3, 4)])
    path = tmp_path / "여비.xlsx"
    book.save(path)

    misnamed = tmp_path / "여비_xlsx.dat"  # sniffed from the bytes, not the extension
    misnamed.write_bytes(path.read_bytes())
    assert table_lines(parse_file(misnamed)) == table_lines(parse_file(path))
    lodging, totals = table_lines(parse_file(path))
    # The title row is the caption and states the unit; the first row's figures are
    # formatted "#,##0" and the others plain: all read as won with thousands separators
    # only where the sheet shows them.
    assert lodging[0] == "출장 숙박비 상한 (단위: 원)"
    assert lodging[1:3] == GRADE_LINES[:2]
    assert lodging[3] == GRADE_LINES[2].replace("90,000원", "90000원").replace(
        "70,000원", "70000원"
    )
    assert totals == ["항목 | 값", "집행률 | 값: 12.5%", "기준일 | 값: 2025-03-04"]


def test_hwpx_row_and_column_spans_with_unit_in_the_caption(tmp_path: Path) -> None:
    cells = [
        _tc(0, 0, "직급", rowspan=2),
        _tc(0, 1, "구분", rowspan=2),
        _tc(0, 2, "숙박비 상한", colspan=2),
        _tc(1, 2, "광역시"),
        _tc(1, 3, "기타 지역"),
    ]
    for r, row in enumerate(GRADE_ROWS, start=2):
        for c, value in enumerate(row):
            if c == 0 and r == 2:
                cells.append(_tc(r, c, value, rowspan=2))
            elif value[:1].isdigit():
                cells.append(_tc(r, c, value.replace(",", "").removesuffix("원")))
            elif value:
                cells.append(_tc(r, c, value))
    rows: dict[int, list[str]] = {}
    for cell in cells:
        row = int(cell.split('rowAddr="')[1].split('"')[0])
        rows.setdefault(row, []).append(cell)
    table = (
        "<hp:tbl>" + "".join(f"<hp:tr>{''.join(r)}</hp:tr>" for r in rows.values()) + "</hp:tbl>"
    )
    caption = _p("<hp:t>[표 2] 직급별 숙박비 상한 (단위: 원)</hp:t>")
    path = _hwpx(tmp_path / "여비.hwpx", {"section0": caption + _p(table)})
    elements = parse_file(path)
    assert [e.kind for e in elements] == ["text", "table"]
    expected = [line.replace(",000원", "000원") for line in GRADE_LINES]
    assert table_lines(elements) == [expected]


def test_hwp_block_table_with_merged_header() -> None:
    """HWP 5.0 and HWPX share the block model (blocks.py) the HWP reader fills from its
    records; no HWP file with a header row exists here, so the blocks are built directly."""

    def cell(row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> TableCell:
        return TableCell(row, col, rowspan, colspan, [Para(text)])

    table = Table(
        [
            cell(0, 0, "구분", rowspan=2),
            cell(0, 1, "휴가 일수", colspan=2),
            cell(1, 1, "정규직"),
            cell(1, 2, "계약직"),
            cell(2, 0, "결혼"),
            cell(2, 1, "5일"),
            cell(2, 2, "3일"),
        ]
    )
    (element,) = to_elements([table])
    assert element.text.splitlines() == [
        "구분 | 휴가 일수 (정규직) | 휴가 일수 (계약직)",
        "결혼 | 휴가 일수 (정규직): 5일 | 휴가 일수 (계약직): 3일",
    ]


# -- tables without a header ----------------------------------------------------------------


def test_table_without_header_keeps_the_plain_row_form(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["2024", "148.6", "131.2"], ["2025", "165.0", "148.6"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    form = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["신청일", "2025년 3월 4일"], ["신청인", "홍길동"]]):
        for c, value in enumerate(row):
            form.cell(r, c).text = value
    path = tmp_path / "표.docx"
    document.save(str(path))
    figures, pairs = table_lines(parse_file(path))
    assert figures == ["2024 | 148.6 | 131.2", "2025 | 165.0 | 148.6"]
    # A two-column form (a date in its first row: not column names) reads as key: value.
    assert pairs == ["신청일: 2025년 3월 4일", "신청인: 홍길동"]


# -- chunks ---------------------------------------------------------------------------------


def test_table_chunk_keeps_section_path_and_heading(embedder: Embedder) -> None:
    elements = parse_file(DOCS / "출장_여비규정.docx")
    chunks = [c for c in chunk_elements(elements, embedder.count_tokens) if c.kind == "table"]
    domestic = chunks[0]
    assert domestic.section_path == ["제2장 국내 출장", "제3조 (국내 여비 지급 기준)"]
    assert domestic.text.splitlines()[0].startswith("직급 | 일비 |")
    assert "선임·사원 | 일비: 30,000원" in domestic.text
    # Search reads the grid's own words once each: the labels are for the model.
    assert domestic.search_text.splitlines()[0] == domestic.text.splitlines()[0]
    assert "선임·사원 | 30,000원 | 95,000원 | 75,000원" in domestic.search_text.splitlines()
