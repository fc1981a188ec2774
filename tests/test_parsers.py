"""Parsers on real files: generated Office files, committed fixtures and real Hancom documents.

Every test runs with outbound connections recorded and refused, so a parser that would phone
home (unstructured telemetry) or download a model (spaCy, Hugging Face) fails here rather
than on an air-gapped site.
"""

from __future__ import annotations

import io
import re
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from ingest.chunking import chunk_elements
from ingest.elements import (
    CorruptFile,
    Element,
    EmptyDocument,
    EncryptedFile,
    ParseError,
    TooLarge,
    UnsupportedFileType,
)
from ingest.parsers import decode_text, parse_file, sniff
from ingest.parsers.tables import build_grid, build_table, html_table_cells
from ingest.parsers.text import UndecodableText
from ingest.tables import table_text
from retrieval.embedding import Embedder
from tests.conftest import SAMPLES

FIXTURES = Path(__file__).parent / "fixtures" / "parsers"
REAL_DOCS = Path(__file__).parents[1].parent / "shared" / "data" / "real-docs"
needs_real_docs = pytest.mark.skipif(
    not REAL_DOCS.is_dir(), reason="shared/data/real-docs is not beside the repository"
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Refuse and record every DNS lookup and connection (telemetry threads swallow errors,
    so recording is what makes an attempt visible)."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def refuse_lookup(host: object, *args: object, **kwargs: object) -> list[object]:
        attempts.append(host)
        raise OSError("network disabled in tests")

    def refuse_connect(self: socket.socket, address: Any) -> None:
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    yield attempts
    assert attempts == [], f"a parser tried to reach the network: {attempts}"


def texts(elements: list[Element]) -> str:
    return "\n".join(e.text for e in elements)


def tables(elements: list[Element]) -> list[str]:
    return [e.text for e in elements if e.kind == "table"]


# -- decode_text ---------------------------------------------------------------------------

KOREAN = "제1조(목적) 이 규정은 연차휴가에 관한 사항을 정한다."


@pytest.mark.parametrize(
    "data",
    [
        KOREAN.encode("utf-8"),
        KOREAN.encode("utf-8-sig"),
        KOREAN.encode("utf-16"),
        KOREAN.encode("utf-16-be"),
        ("abc " + KOREAN).encode("utf-16-le"),
        KOREAN.encode("cp949"),
        KOREAN.encode("euc-kr"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-nobom", "utf16le-nobom", "cp949", "euc-kr"],
)
def test_decode_text_handles_korean_encodings(data: bytes) -> None:
    assert KOREAN in decode_text(data)


def test_decode_text_prefers_utf8_over_cp949() -> None:
    # UTF-8 Hangul bytes are also valid CP949; decoding them as CP949 would be mojibake.
    assert decode_text("한글".encode()) == "한글"


def test_decode_text_keeps_file_cut_inside_last_character() -> None:
    assert decode_text("가나다".encode()[:-1]) == "가나"


def test_decode_text_keeps_slightly_damaged_utf8_as_utf8() -> None:
    damaged = bytearray((KOREAN * 5).encode())
    damaged[10] = 0xFF
    decoded = decode_text(bytes(damaged))
    assert 1 <= decoded.count("\ufffd") <= 2 and "연차휴가" in decoded


def test_decode_text_refuses_to_guess() -> None:
    with pytest.raises(UndecodableText):
        decode_text(bytes(range(128, 256)) * 4)


# -- sniffing and errors --------------------------------------------------------------------


def test_zero_byte_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "빈 파일.txt"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocument, match=re.escape("빈 파일.txt")):
        parse_file(path)


def test_unknown_binary_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(UnsupportedFileType):
        parse_file(path)


def test_garbage_with_a_document_extension_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "보고서.hwp"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(CorruptFile, match=re.escape("보고서.hwp")):
        parse_file(path)


def test_a_broken_image_is_corrupt(tmp_path: Path) -> None:
    """Images are read by OCR (tests/test_ocr.py); one that does not decode is reported."""
    path = tmp_path / "scan.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(CorruptFile, match=re.escape("scan.png")):
        parse_file(path)


def test_hwp3_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "old.hwp"
    path.write_bytes(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + bytes(200))
    with pytest.raises(UnsupportedFileType, match=re.escape("HWP 3.0")):
        parse_file(path)


def test_plain_zip_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(UnsupportedFileType, match="ZIP"):
        parse_file(path)


def test_zip_bomb_document_is_refused_before_unpacking(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx")
    bomb = tmp_path / "폭탄.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            zf.writestr(item, src.read(item))
        zf.writestr("word/media/padding.bin", bytes(30 * 1_048_576))  # 30 MB of zeros
    assert bomb.stat().st_size < 1_048_576  # tiny on disk
    with pytest.raises(TooLarge, match=re.escape("폭탄.docx")):
        parse_file(bomb, max_unpacked_mb=20)
    assert parse_file(bomb, max_unpacked_mb=40)  # the limit is the caller's, not a constant
    assert parse_file(good, max_unpacked_mb=20)  # the same document without the padding reads fine


def test_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx")
    bad = tmp_path / "잘린 문서.docx"
    bad.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(CorruptFile, match=re.escape("잘린 문서.docx")):
        parse_file(bad)


@pytest.mark.parametrize(
    ("head", "vendor"),
    [
        (b"<!-- FasooSecureContainer -->\r\n" + bytes(range(256)) * 4, "Fasoo"),
        (b"SCDSA002" + bytes(range(256)) * 4, "SoftCamp"),
        (b"\x00\x01\x02\x03MarkAny DRM\x00" + bytes(range(256)) * 4, "MarkAny"),
    ],
)
def test_drm_wrapped_files_are_encrypted(tmp_path: Path, head: bytes, vendor: str) -> None:
    path = tmp_path / "기밀.docx"
    path.write_bytes(head)
    with pytest.raises(EncryptedFile, match=f"{vendor} DRM"):
        parse_file(path)


def test_text_mentioning_markany_is_not_drm(tmp_path: Path) -> None:
    path = tmp_path / "vendors.txt"
    path.write_text("문서 보안 업체: MarkAny, Fasoo, SoftCamp\n", encoding="utf-8")
    assert "MarkAny" in texts(parse_file(path))


def test_password_protected_docx_is_encrypted(tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = make_docx(tmp_path / "plain.docx")
    locked = tmp_path / "locked.docx"
    with plain.open("rb") as source, locked.open("wb") as target:
        ooxml.OOXMLFile(source).encrypt("암호1234", target)
    assert locked.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # OLE2 with EncryptionInfo
    with pytest.raises(EncryptedFile, match="암호"):
        parse_file(locked)


def test_ole_container_with_drm_stream_is_encrypted(tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    buffer = io.BytesIO()
    with make_docx(tmp_path / "plain.docx").open("rb") as source:
        ooxml.OOXMLFile(source).encrypt("pw", buffer)
    # Rename the "EncryptionInfo" directory entry (same length) to a Fasoo stream name.
    renamed = buffer.getvalue().replace(
        "EncryptionInfo".encode("utf-16-le"), "DRMONE_Header1".encode("utf-16-le")
    )
    path = tmp_path / "fasoo.doc"
    path.write_bytes(renamed)
    with pytest.raises(EncryptedFile, match="DRM"):
        parse_file(path)


def test_pdf_named_file_that_is_docx_is_parsed_as_docx(tmp_path: Path) -> None:
    real = make_docx(tmp_path / "real.docx")
    misnamed = tmp_path / "계약서.pdf"
    misnamed.write_bytes(real.read_bytes())
    assert sniff(misnamed) == "docx"
    assert "연차휴가" in texts(parse_file(misnamed))


# -- PDF ------------------------------------------------------------------------------------


def test_pdf_text_and_page_numbers() -> None:
    elements = parse_file(FIXTURES / "korean.pdf")
    assert [(e.text, e.page) for e in elements] == [
        ("제1장 총칙", 1),
        ("이 규정은 직원의 연차휴가에 관한 사항을 정한다.", 1),
        ("연차휴가는 1년에 15일을 부여한다.", 2),
    ]


def test_pdf_lines_become_paragraphs_rows_and_headings(embedder: Embedder) -> None:
    """The text layer is printed lines: wrapped lines are joined back into their sentence, a
    table's rows are read as cells under their column names, the running header of every page is dropped, and
    the chunker finds the real headings (no figure becomes a section)."""
    path = SAMPLES / "docs" / "인사_휴가규정.pdf"
    elements = parse_file(path)
    lines = [e.text for e in elements]
    assert (
        '이 규정은 (주)누리별소프트(이하 "회사"라 한다) 임직원의 휴가 및 휴직에 관한 기준과 '
        "절차를 정함을 목적으로 한다." in lines
    )
    assert (
        "1년 미만 | 연차휴가 일수: 최대 11일 | 비고: 1개월 개근 시 1일 발생"
        in texts(elements).splitlines()
    )
    assert not [line for line in lines if "- 1 -" in line or "- 2 -" in line], lines
    assert {e.page for e in elements} == {1, 2}
    chunks = chunk_elements(elements, embedder.count_tokens, budget=256)
    sections = {" > ".join(c.section_path) for c in chunks}
    assert "제2장 연차휴가 > 제4조 (연차휴가의 부여)" in sections, sections
    assert "제3장 병가 > 제7조 (병가)" in sections, sections
    assert all(re.search(r"[가-힣]{2}", part) for c in chunks for part in c.section_path)
    report = parse_file(SAMPLES / "docs" / "2025년 3분기 경영실적 보고서.pdf")
    assert (
        "매출액 | 2025년 3분기: 148.6억 원 | 2024년 3분기: 131.2억 원 | 증감률: +13.3%"
        in texts(report).splitlines()
    )


def test_pdf_without_text_layer_is_reported(tmp_path: Path) -> None:
    drawing = tmp_path / "스캔본.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.pages[0].Contents = pdf.make_stream(b"0 0 1 rg 100 100 300 400 re f")
        pdf.save(drawing)
    with pytest.raises(EmptyDocument, match="텍스트 층이 없고 글자가 있는 이미지도 없습니다"):
        parse_file(drawing)


def test_truncated_pdf_is_corrupt() -> None:
    with pytest.raises(CorruptFile, match=re.escape("corrupt.pdf")):
        parse_file(FIXTURES / "corrupt.pdf")


def test_password_protected_pdf_is_encrypted(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(FIXTURES / "korean.pdf") as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="secret", R=6))
    with pytest.raises(EncryptedFile):
        parse_file(locked)


def test_pdf_with_only_owner_password_is_read(tmp_path: Path) -> None:
    # Common in public-sector PDFs: printing/copying restricted, but no password to open.
    restricted = tmp_path / "restricted.pdf"
    with pikepdf.open(FIXTURES / "korean.pdf") as pdf:
        pdf.save(restricted, encryption=pikepdf.Encryption(user="", owner="owner", R=4))
    assert "연차휴가는 1년에 15일" in texts(parse_file(restricted))


# -- Office via unstructured ----------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "대외비 머리말"
    document.sections[0].footer.paragraphs[0].text = "- 1 -"
    document.add_heading("제1장 총칙", level=1)
    document.add_paragraph("이 규정은 직원의 연차휴가에 관한 사항을 정한다.")
    document.add_heading("제1조 (연차휴가)", level=2)
    document.add_paragraph("입사 첫해 근속자", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["구분", "일수", "비고"], ["연차", "15", "유급"], ["병가", "60", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(path))
    return path


def test_docx_headings_text_lists_and_tables(tmp_path: Path) -> None:
    elements = parse_file(make_docx(tmp_path / "규정.docx"))
    kinds = [(e.kind, e.text, e.level) for e in elements if e.kind != "table"]
    assert kinds == [
        ("title", "제1장 총칙", 1),
        ("text", "이 규정은 직원의 연차휴가에 관한 사항을 정한다.", None),
        ("title", "제1조 (연차휴가)", 2),
        ("list_item", "입사 첫해 근속자", None),
    ]
    assert tables(elements) == ["구분 | 일수 | 비고\n연차 | 일수: 15 | 비고: 유급\n병가 | 일수: 60"]
    assert "머리말" not in texts(elements) and "- 1 -" not in texts(elements)


def test_pptx_slide_numbers_and_table(tmp_path: Path) -> None:
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "2024년 사업 계획"
    first.placeholders[1].text = "매출 목표는 전년 대비 10% 성장이다."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "지역별 매출"
    grid = second.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for r, row in enumerate([["지역", "매출"], ["서울", "120"], ["부산", "80"]]):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    path = tmp_path / "계획.pptx"
    deck.save(str(path))

    elements = parse_file(path)
    assert ("title", "2024년 사업 계획", 1) in [(e.kind, e.text, e.page) for e in elements]
    assert ("text", "매출 목표는 전년 대비 10% 성장이다.", 1) in [
        (e.kind, e.text, e.page) for e in elements
    ]
    table = next(e for e in elements if e.kind == "table")
    assert table.page == 2
    assert table.text.splitlines() == ["지역 | 매출", "서울 | 매출: 120", "부산 | 매출: 80"]


def test_xlsx_sheets_header_rows_and_titles(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    staff = book.active
    staff.title = "직원 명부"
    staff.append(["이름", "부서", "입사일"])
    staff.append(["김철수", "영업부", "2020-01-02"])
    staff.append(["이영희", "개발부", "2021-03-04"])
    budget = book.create_sheet("예산")
    budget["A1"] = "2024년 부서별 예산"
    budget.append([])
    budget.append(["항목", "금액"])
    budget.append(["인건비", 1000])
    path = tmp_path / "현황.xlsx"
    book.save(path)

    elements = parse_file(path)
    assert [(e.kind, e.sheet, e.page) for e in elements] == [
        ("table", "직원 명부", 1),
        ("table", "예산", 2),
    ]
    assert elements[0].text.splitlines()[:2] == [
        "이름 | 부서 | 입사일",
        "김철수 | 부서: 영업부 | 입사일: 2020-01-02",
    ]
    # The title line above the data is the table's caption, not its header row.
    assert elements[1].text.splitlines() == [
        "2024년 부서별 예산",
        "항목 | 금액",
        "인건비 | 금액: 1000",
    ]


def test_html_declared_euc_kr_with_merged_cells(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="euc-kr"><title>t</title></head><body>'
        "<h1>복리후생 안내</h1><p>경조사 지원 기준은 다음과 같다.</p>"
        "<table><tr><th>구분</th><th>대상</th><th>금액</th></tr>"
        "<tr><td rowspan=2>경사</td><td>본인 결혼</td><td>100만원</td></tr>"
        "<tr><td>자녀 결혼</td><td>50만원</td></tr>"
        "<tr><td colspan=2>합계</td><td>150만원</td></tr></table></body></html>"
    )
    path = tmp_path / "복리후생.html"
    path.write_bytes(page.encode("cp949"))
    elements = parse_file(path)
    assert ("title", "복리후생 안내", 1) in [(e.kind, e.text, e.level) for e in elements]
    assert tables(elements) == [
        "구분 | 대상 | 금액\n경사 | 대상: 본인 결혼 | 금액: 100만원\n"
        "경사 | 대상: 자녀 결혼 | 금액: 50만원\n합계 | 금액: 150만원"
    ]


def test_html_content_in_txt_file_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "saved_page.txt"
    path.write_text("<!DOCTYPE html><html><body><h2>공지</h2><p>본문</p></body></html>")
    assert sniff(path) == "html"
    first = parse_file(path)[0]
    assert (first.kind, first.level) == ("title", 2)


def test_eml_subject_and_korean_body(tmp_path: Path) -> None:
    from email.header import Header
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    message = MIMEMultipart("alternative")
    message["From"] = "kim@example.com"
    message["To"] = "lee@example.com"
    message["Subject"] = Header("주간 회의 안내", "utf-8").encode()
    message["Date"] = "Mon, 1 Jan 2024 10:00:00 +0900"
    message.attach(MIMEText("내일 오후 3시에 회의가 있습니다.", "plain", "euc-kr"))
    message.attach(MIMEText("<p>내일 오후 3시에 회의가 있습니다.</p>", "html", "utf-8"))
    path = tmp_path / "meeting.eml"
    path.write_bytes(message.as_bytes())
    elements = parse_file(path)
    assert elements[0] == Element(kind="title", text="주간 회의 안내", level=1)
    assert "내일 오후 3시에 회의가 있습니다." in texts(elements)


# -- text formats ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cp949.txt", "utf16.txt"])
def test_text_fixture_encodings_and_line_paragraphs(name: str) -> None:
    elements = parse_file(FIXTURES / name)
    assert [e.text for e in elements] == [
        "제1조(목적) 이 규정은 취업에 관한 사항을 정한다.",
        "제2조(적용) 모든 직원에게 적용한다.",
    ]
    assert all(e.kind == "text" for e in elements)  # sentences are never titles


def test_korean_lines_are_classified_without_the_english_tagger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short line without a predicate is a heading, a line with one is text, and spaCy's
    English pipeline is never run on Hangul (the slow part of parsing Korean text)."""
    import unstructured.nlp.tokenize as tokenize

    def no_spacy(text: str) -> None:
        raise AssertionError(f"spaCy ran on {text!r}")

    monkeypatch.setattr(tokenize, "_process", no_spacy)
    path = tmp_path / "점검.txt"
    path.write_text(
        "분기별 보안 점검 절차\n모든 직원은 분기마다 비밀번호를 바꾼다.\n"
        "점검 결과는 보안팀에 제출함.\n",
        encoding="utf-8",
    )
    assert [(e.kind, e.text) for e in parse_file(path)] == [
        ("title", "분기별 보안 점검 절차"),
        ("text", "모든 직원은 분기마다 비밀번호를 바꾼다."),
        ("text", "점검 결과는 보안팀에 제출함."),
    ]


def test_markdown_heading_levels_and_table(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(
        "# 업무 매뉴얼\n\n## 휴가 신청\n\n휴가는 3일 전에 신청한다.\n\n"
        "| 종류 | 일수 |\n|---|---|\n| 연차 | 15 |\n",
        encoding="utf-8",
    )
    elements = parse_file(path)
    assert [(e.kind, e.text, e.level) for e in elements[:3]] == [
        ("title", "업무 매뉴얼", 1),
        ("title", "휴가 신청", 2),
        ("text", "휴가는 3일 전에 신청한다.", None),
    ]
    assert tables(elements) == ["종류 | 일수\n연차 | 일수: 15"]


def test_csv_in_cp949_becomes_table_with_header(tmp_path: Path) -> None:
    path = tmp_path / "명단.csv"
    path.write_bytes("이름,부서\n김철수,영업\n이영희,개발\n".encode("cp949"))
    assert tables(parse_file(path)) == ["이름 | 부서\n김철수 | 부서: 영업\n이영희 | 부서: 개발"]


# -- tables ---------------------------------------------------------------------------------


def test_html_grid_repeats_row_spans_and_keeps_col_spans_once() -> None:
    html = (
        "<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr>"
        "<tr><td>C</td><td>D|E</td></tr><tr><td></td><td></td><td></td></tr></table>"
    )
    grid = build_grid(html_table_cells(html))
    assert grid == [["A", "B", ""], ["A", "C", "D\\|E"]]
    table = build_table(html_table_cells(html))
    assert table is not None and table.header == (("A", "B", "B"),)
    assert table_text(table) == "A | B\nA | B: C | B: D\\|E"  # B heads both of its columns


# -- HWPX -----------------------------------------------------------------------------------

_HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"


def _hwpx(path: Path, sections: dict[str, str], manifest: bool = True) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        if manifest:
            zf.writestr("META-INF/manifest.xml", "<manifest/>")
        for name, body in sections.items():
            zf.writestr(
                f"Contents/{name}.xml",
                f'<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
                f'xmlns:hp="{_HP}">{body}</hs:sec>',
            )
    return path


def _p(*runs: str) -> str:
    return "<hp:p>" + "".join(f"<hp:run>{r}</hp:run>" for r in runs) + "</hp:p>"


def _tc(row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> str:
    return (
        f"<hp:tc><hp:subList>{_p(f'<hp:t>{text}</hp:t>')}</hp:subList>"
        f'<hp:cellAddr colAddr="{col}" rowAddr="{row}"/>'
        f'<hp:cellSpan colSpan="{colspan}" rowSpan="{rowspan}"/></hp:tc>'
    )


def test_hwpx_merged_cells_footnotes_text_boxes_and_section_order(tmp_path: Path) -> None:
    table = (
        "<hp:tbl>"
        f"<hp:tr>{_tc(0, 0, '구분')}{_tc(0, 1, '내용', colspan=2)}</hp:tr>"
        f"<hp:tr>{_tc(1, 0, '휴가', rowspan=2)}{_tc(1, 1, '연차')}{_tc(1, 2, '15일')}</hp:tr>"
        f"<hp:tr>{_tc(2, 1, '병가')}{_tc(2, 2, '60일')}</hp:tr>"
        "</hp:tbl>"
    )
    footnote = (
        "<hp:ctrl><hp:footNote><hp:subList>"
        f"{_p('<hp:t>근로기준법 제60조</hp:t>')}</hp:subList></hp:footNote></hp:ctrl>"
    )
    text_box = (
        "<hp:rect><hp:drawText><hp:subList>"
        f"{_p('<hp:t>상자 안 글</hp:t>')}</hp:subList></hp:drawText>"
        "<hp:shapeComment>사각형입니다.</hp:shapeComment></hp:rect>"
    )
    header = (
        "<hp:ctrl><hp:header><hp:subList>"
        f"{_p('<hp:t>머리말</hp:t>')}</hp:subList></hp:header></hp:ctrl>"
    )
    path = _hwpx(
        tmp_path / "규정.hwpx",
        {
            "section0": _p(header, "<hp:t>연차는<hp:tab/>15일이다.</hp:t>", footnote) + _p(table),
            "section2": _p("<hp:t>둘째 구역</hp:t>"),
            "section10": _p("<hp:t>열째 구역</hp:t>", text_box),
        },
        manifest=False,
    )
    elements = parse_file(path)
    assert [(e.kind, e.text) for e in elements] == [
        ("text", "연차는 15일이다."),
        ("text", "[각주] 근로기준법 제60조"),
        ("table", "구분 | 내용\n휴가 | 내용: 연차 | 내용: 15일\n휴가 | 내용: 병가 | 내용: 60일"),
        ("text", "둘째 구역"),
        ("text", "열째 구역"),
        ("text", "상자 안 글"),
    ]


def test_hwpx_switch_alternatives_are_read_once(tmp_path: Path) -> None:
    box = "<hp:rect><hp:drawText><hp:subList>{}</hp:subList></hp:drawText></hp:rect>"
    switch = (
        "<hp:switch><hp:case>" + box.format(_p("<hp:t>상자 글</hp:t>")) + "</hp:case>"
        "<hp:default>" + box.format(_p("<hp:t>상자 글</hp:t>")) + "</hp:default></hp:switch>"
    )
    path = _hwpx(tmp_path / "switch.hwpx", {"section0": _p(switch)})
    assert [e.text for e in parse_file(path)] == ["상자 글"]


def test_hwpx_with_encryption_manifest_is_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "locked.hwpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        zf.writestr(
            "META-INF/manifest.xml",
            '<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<odf:file-entry odf:full-path="Contents/section0.xml">'
            "<odf:encryption-data/></odf:file-entry></odf:manifest>",
        )
        zf.writestr("Contents/section0.xml", b"\x8a\x91 encrypted bytes")
    with pytest.raises(EncryptedFile):
        parse_file(path)


@needs_real_docs
def test_real_hwpx_press_release_tables() -> None:
    elements = parse_file(REAL_DOCS / "hwpx" / "mot.hwpx")
    found = tables(elements)
    assert len(found) == 3
    contacts = found[-1].splitlines()
    # A contact form (phone numbers in its first row) has no header row: plain rows.
    assert contacts[0] == "담당 부서 | 체육국 | 책임자 | 과장 | 정태경 | (044-203-3111)"
    assert "(이천선수촌) | 장애인체육과 | 담당자 | 사무관 | 이기태 | (044-203-3185)" in contacts
    body = texts(elements)
    assert "장미란 제2차관은 1월 2일(화)" in body
    assert "그림입니다" not in body  # image alt-text placeholders are not content


@needs_real_docs
def test_real_hwpx_score_table_header_row() -> None:
    table = tables(parse_file(REAL_DOCS / "hwpx" / "Table.hwpx"))[0].splitlines()
    assert table[:2] == ["이름 | 국어 | 영어 | 수학", "개똥이 | 국어: 89 | 영어: 65 | 수학: 78"]


@needs_real_docs
def test_real_hwpx_without_manifest_reads_both_sections() -> None:
    elements = parse_file(REAL_DOCS / "hwpx" / "no_manifest.hwpx")
    body = texts(elements)
    assert elements[0].text == "입 법 예 고"
    assert "울산광역시 남구 구세 조례 일부개정조례안" in body
    # from section1; the first column holds articles, not row names
    assert tables(elements)[0].startswith("현 행 | 개 정 안\n현 행: 제1절 재산분 | 개 정 안:")


@needs_real_docs
def test_real_hwpx_korean_file_name_with_space_and_form_table() -> None:
    elements = parse_file(REAL_DOCS / "hwpx" / "프로젝트 계획서.hwpx")
    table = tables(elements)[0]
    # A form, not a data table: its first row holds a date, so it keeps the plain row form.
    assert "\n프로젝트 이름 | 프로젝트 이름을 입력해 주세요.\n" in table
    assert "\n참가자 성명 | 고길동 | 홍길동" in table


@needs_real_docs
def test_real_hwpx_paragraph_boundaries_kept() -> None:
    elements = parse_file(REAL_DOCS / "hwpx" / "multipara.hwpx")
    assert len(elements) == 9 and all(e.kind == "text" for e in elements)
    assert elements[0].text.startswith("'어썸킴' 김하성")


# -- HWP 5.0 --------------------------------------------------------------------------------


@needs_real_docs
def test_real_hwp_distribution_document_is_encrypted_not_placeholder() -> None:
    with pytest.raises(EncryptedFile, match="배포용") as raised:
        parse_file(REAL_DOCS / "hwp" / "distribution.hwp")
    assert "상위 버전" not in str(raised.value)


@needs_real_docs
@pytest.mark.parametrize(("flag", "reason"), [(0x02, "암호"), (0x10, "DRM"), (0x04, "배포용")])
def test_hwp_header_protection_flags(tmp_path: Path, flag: int, reason: str) -> None:
    import olefile

    path = tmp_path / "protected.hwp"
    path.write_bytes((REAL_DOCS / "hwp" / "merging-cell.hwp").read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        header = bytearray(ole.openstream("FileHeader").read())
        header[36] |= flag
        ole.write_stream("FileHeader", bytes(header))
    with pytest.raises(EncryptedFile, match=reason):
        parse_file(path)


@needs_real_docs
@pytest.mark.parametrize("path", ["hwp/blank.hwp", "hwpx/blank.hwpx"])
def test_real_blank_documents_are_empty(path: str) -> None:
    with pytest.raises(EmptyDocument):
        parse_file(REAL_DOCS / path)


@needs_real_docs
def test_real_hwp_table_uses_cell_addresses() -> None:
    table = tables(parse_file(REAL_DOCS / "hwp" / "merging-cell.hwp"))[0].splitlines()
    assert len(table) == 7  # figures only: no header row, 7 plain rows
    assert table[0] == "0,0 | 0,1 | 0,2 | 0,3 | 0,4 | 0,5 | 0,6"
    assert table[-1] == "6,0 | 6,1 | 6,2 | 6,3 | 6,4 | 6,5 | 6,6"


@needs_real_docs
def test_real_hwp_fields_and_text_boxes() -> None:
    fields = parse_file(REAL_DOCS / "hwp" / "setting-fields.hwp")
    assert fields[0].text == "필드1 : 이곳을 마우스로 누르고 내용을 입력하세요."
    boxes = [e.text for e in parse_file(REAL_DOCS / "hwp" / "extracting_ParaHead.hwp")]
    assert boxes[:6] == ["1", "2", "3", "4", "5", "1"]  # body lines, then the text box


@needs_real_docs
def test_real_hwp_renamed_to_hwpx_is_sniffed(tmp_path: Path) -> None:
    renamed = tmp_path / "보도자료.hwp"
    renamed.write_bytes((REAL_DOCS / "hwpx" / "mot.hwpx").read_bytes())
    assert sniff(renamed) == "hwpx"
    assert len(tables(parse_file(renamed))) == 3


@needs_real_docs
@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(REAL_DOCS).as_posix() for p in REAL_DOCS.glob("*/*"))
    if REAL_DOCS.is_dir()
    else [],
)
def test_every_real_document_parses_or_raises_parse_error(path: str) -> None:
    try:
        elements = parse_file(REAL_DOCS / path)
    except ParseError:
        return
    assert elements and all(e.text.strip() for e in elements)
    assert not any("배포용 문서입니다" in e.text for e in elements)


@needs_real_docs
@pytest.mark.parametrize("keep", [100, 1000, 4000])
def test_truncated_real_documents_never_leak_library_errors(tmp_path: Path, keep: int) -> None:
    for source in ("hwp/merging-cell.hwp", "hwpx/mot.hwpx"):
        data = (REAL_DOCS / source).read_bytes()
        path = tmp_path / Path(source).name
        path.write_bytes(data[:keep])
        with pytest.raises(ParseError):
            parse_file(path)
