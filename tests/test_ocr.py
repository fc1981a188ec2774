"""OCR of scans and photos (generated here with fonts-nanum), the text-quality gate, the limits.

Every scan is rendered in the test from Korean text and degraded the way a scanner or a phone
does (eval/scans.py), then read by the real Tesseract (Debian tesseract-ocr, tesseract-ocr-kor).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from docx.shared import Inches
from fastapi.testclient import TestClient
from pptx import Presentation
from pptx.util import Inches as PptxInches

from app.api import create_app
from app.services import Services
from eval.ocr_eval import edit_distance
from eval.scans import degrade, render_page, scanned_pdf
from ingest.elements import GarbledText
from ingest.index import Indexer
from ingest.parse_pool import ParsePool, ParserTimedOut
from ingest.parsers import OcrOptions, parse_file
from ingest.parsers.ocr import OcrUnavailable, read_image
from ingest.parsers.quality import text_problem
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder
from retrieval.search import HybridSearcher
from retrieval.settings import RetrievalSettings
from retrieval.store.base import SearchFilter
from retrieval.store.edge import EdgeStore

NOTICE = [
    "제7조 (재택근무)",
    "재택근무는 주 2회까지 신청할 수 있으며",
    "부서장의 사전 승인을 받아야 한다.",
]
SECURITY = [
    "제12조 (보안 점검)",
    "모든 직원은 매월 첫째 주 월요일에",
    "개인 컴퓨터의 보안 점검을 받아야 한다.",
]
OFF = OcrOptions(mode="off")


def squeezed(text: str) -> str:
    """Text without spaces: OCR's word spacing is restored by a model and may differ."""
    return re.sub(r"\s+", "", text)


def read(elements: list) -> str:
    return squeezed("".join(e.text for e in elements))


def cer(reference: list[str], text: str) -> float:
    """Character error rate, spaces ignored."""
    truth = squeezed("".join(reference))
    return edit_distance(truth, text) / len(truth)


def test_an_image_only_pdf_is_read_page_by_page_with_confidence(tmp_path: Path) -> None:
    pages = [degrade(render_page(NOTICE), "noisy", 1), degrade(render_page(SECURITY), "skewed", 2)]
    pdf = scanned_pdf(pages, tmp_path / "스캔 공문.pdf")
    elements = parse_file(pdf)
    by_page = {p: read([e for e in elements if e.page == p]) for p in (1, 2)}
    assert "재택근무는주2회까지신청할수있으며" in by_page[1], by_page
    assert "매월첫째주월요일에" in by_page[2], by_page
    # The English model sometimes reads one Hangul word as Latin ("점검을" as "AAS").
    assert cer(NOTICE, by_page[1]) <= 0.1 and cer(SECURITY, by_page[2]) <= 0.1, by_page
    assert all(e.ocr_confidence is not None and e.ocr_confidence > 60 for e in elements)


def test_a_photographed_notice_jpeg_is_read(tmp_path: Path) -> None:
    photo = tmp_path / "게시판 사진.jpg"
    degrade(render_page(NOTICE), "photo", 3).save(photo, "JPEG", quality=75)
    text = read(parse_file(photo))
    assert "재택근무는주2회까지신청할수있으며" in text, text
    assert cer(NOTICE, text) <= 0.1, text


def test_with_ocr_off_or_missing_languages_scans_are_reported_with_the_reason(
    tmp_path: Path,
) -> None:
    image = tmp_path / "scan.png"
    render_page(NOTICE).save(image)
    pdf = scanned_pdf([render_page(NOTICE)], tmp_path / "scan.pdf")
    for path in (image, pdf):
        with pytest.raises(OcrUnavailable, match="KDOCQA_OCR=off"):
            parse_file(path, ocr=OFF)
    # A language whose model is not installed stands for a machine without Tesseract's data.
    with pytest.raises(OcrUnavailable, match="언어 데이터\\(zzz\\)"):
        parse_file(image, ocr=OcrOptions(languages="kor+zzz"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(cid:12)(cid:85)(cid:3)(cid:44) 제(cid:7)조" * 5, "cid"),
        ("\ufffd\ufffd 연차 \ufffd\ufffd\ufffd\ufffd" * 5, "깨진 문자"),
        ("\ue000\ue001\ue002 휴가" * 6, "깨진 문자"),
        ("ÇÑ±Û ¹®¼­ÀÇ ¿¬Â÷ÈÞ°¡ ±ÔÁ¤ÀÔ´Ï´Ù", "인코딩"),
        ("!!## ^^~~ ++** ][][ ||// ※※ ◆◆ ▲▲ ○○ ●●" * 3, "거의 없는"),
    ],
)
def test_the_quality_gate_names_glyph_garbage(text: str, reason: str) -> None:
    problem = text_problem(text)
    assert problem is not None and reason in problem, problem


@pytest.mark.parametrize(
    "text",
    [
        "제5조 (연차휴가) 회사는 1년간 80% 이상 출근한 근로자에게 15일을 준다.",
        "매출액 | 148.6 | 131.2 | +13.3%\n영업이익 | 12.4 | 10.1 | +22.8%",
        "Café résumé naïve: the annual leave policy applies from 2025.",
        "- 3 -",
    ],
)
def test_the_quality_gate_passes_real_text(text: str) -> None:
    assert text_problem(text) is None


def garbled_scan(tmp_path: Path) -> Path:
    """A scan whose (invisible) text layer was written in the wrong encoding: CP949 bytes
    shown with a Latin font, as some scanner software does; the image holds the real text."""
    path = scanned_pdf([degrade(render_page(SECURITY), "noisy", 4)], tmp_path / "보안.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        page.Resources.Font = pikepdf.Dictionary(F1=font)
        layer = "개인 컴퓨터의 보안 점검 규정입니다".encode("cp949")
        stream = b"BT 3 Tr /F1 12 Tf 72 700 Td (" + layer.replace(b")", b"\\)") + b") Tj ET"
        page.contents_add(pdf.make_stream(stream))
        pdf.save(path)
    return path


def test_a_garbled_text_layer_goes_to_ocr_or_is_reported(tmp_path: Path) -> None:
    path = garbled_scan(tmp_path)
    elements = parse_file(path)
    assert "매월첫째주월요일에" in read(elements)
    assert all(e.ocr_confidence is not None for e in elements)
    with pytest.raises(GarbledText, match=re.escape("'보안.pdf' PDF 1쪽")):
        parse_file(path, ocr=OFF)


def png(lines: list[str], condition: str = "noisy") -> bytes:
    buffer = io.BytesIO()
    degrade(render_page(lines), condition, 5).save(buffer, "PNG")  # type: ignore[arg-type]
    return buffer.getvalue()


def test_a_scan_pasted_into_a_docx_is_read(tmp_path: Path) -> None:
    document = Document()
    document.add_picture(io.BytesIO(png(NOTICE)), width=Inches(6))
    path = tmp_path / "결재 스캔.docx"
    document.save(str(path))
    elements = parse_file(path)
    assert "재택근무는주2회까지신청할수있으며" in read(elements)
    assert all(e.ocr_confidence is not None for e in elements)


def test_a_picture_only_slide_is_read_with_its_slide_number(tmp_path: Path) -> None:
    deck = Presentation()
    text_slide = deck.slides.add_slide(deck.slide_layouts[1])
    text_slide.shapes.title.text = "분기 보고"
    text_slide.placeholders[1].text = "매출은 전년 대비 13% 늘었다."
    picture_slide = deck.slides.add_slide(deck.slide_layouts[6])
    picture_slide.shapes.add_picture(io.BytesIO(png(SECURITY)), 0, 0, width=PptxInches(7))
    path = tmp_path / "보고.pptx"
    deck.save(str(path))
    elements = parse_file(path)
    assert "매출은전년대비13%늘었다" in read([e for e in elements if e.page == 1])
    slide_two = [e for e in elements if e.page == 2]
    assert "매월첫째주월요일에" in read(slide_two)
    assert all(e.ocr_confidence is not None for e in slide_two)


def test_hwpml_is_reported_by_name(tmp_path: Path) -> None:
    path = tmp_path / "옛 규정.hml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><HWPML Version="2.8"><HEAD/><BODY>'
        "<SECTION><P><TEXT><CHAR>연차</CHAR></TEXT></P></SECTION></BODY></HWPML>",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="HWPML") as caught:
        parse_file(path)
    assert getattr(caught.value, "reason", "") == "unsupported_type"
    assert "옛 규정.hml" in str(caught.value)


def test_a_parse_running_past_the_limit_is_stopped_in_process(tmp_path: Path) -> None:
    """OCR of a page takes seconds, so a 0.2 s limit stops it: the job fails with the reason
    and the next file still parses."""
    scan = scanned_pdf([render_page(NOTICE)], tmp_path / "긴 스캔.pdf")
    text = tmp_path / "메모.md"
    text.write_text("# 메모\n\n회의는 3시에 시작한다.\n", encoding="utf-8")
    parse_file(text)  # loads the Markdown parser, so the limit measures the OCR only
    with ParsePool(1, 500, timeout_s=0.2) as pool:
        with pytest.raises(ParserTimedOut, match=re.escape("긴 스캔.pdf")):
            pool.result(pool.submit(scan))
        assert "회의는 3시에 시작한다." in pool.result(pool.submit(text))[-1].text


def test_a_scanned_notice_is_found_by_search_with_its_page_and_the_ocr_mark(
    data_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "공지"
    folder.mkdir()
    cover = render_page(["사내 공지 모음", "2025년 하반기"])
    scanned_pdf([cover, degrade(render_page(NOTICE), "skewed", 6)], folder / "재택근무 공지.pdf")
    (folder / "식당.md").write_text("# 식당\n\n점심은 12시부터 1시까지다.\n", encoding="utf-8")
    store = EdgeStore(data_dir / "store", "chunks")
    try:
        indexer = Indexer(store, embedder, IngestSettings(), RetrievalSettings())
        report = indexer.ingest(folder, "ocr")
        assert report.counts()["added"] == 2, report.to_dict()
        hits = (
            HybridSearcher(store, embedder)
            .search(
                "재택근무는 주 몇 회까지 신청할 수 있나요?", SearchFilter(knowledge_bases=["ocr"])
            )
            .hits
        )
        top = hits[0].payload
        assert top["file_name"] == "재택근무 공지.pdf"
        assert top["page"] == 2 and top["ocr"] is True and top["ocr_confidence"] > 60
        assert "주2회" in squeezed(top["text"])
    finally:
        store.close()


MIXED = [
    "제3조 (인사 시스템)",
    "연차 신청은 HR Portal에서 한다.",
    "승인은 팀장이 SAP에서 처리한다.",
    "점검을 마친 뒤 Annual Leave 메뉴를 연다.",
]


def test_latin_words_in_a_korean_scan_stay_latin_and_hangul_stays_hangul() -> None:
    """`kor+eng` in one Tesseract run read Hangul words as Latin garbage ("신청은" → "ABS");
    the Korean model alone reads "Annual Leave" as digits. The page is read by the Korean
    model and its non-Hangul words again by the English one."""
    page = read_image(render_page(MIXED), OcrOptions())
    text = " ".join(page.lines)
    for word in ("HR", "SAP에서", "Annual Leave", "신청은", "승인은", "점검을"):
        assert word in text, text


def test_a_question_about_an_uploaded_scan_is_answered_citing_its_page(
    scratch_services: Services, tmp_path: Path
) -> None:
    cover = render_page(["사내 공지 모음", "2025년 하반기"])
    scan = scanned_pdf([cover, degrade(render_page(NOTICE), "photo", 4)], tmp_path / "공지.pdf")
    client = TestClient(create_app(scratch_services))
    response = client.post(
        "/v1/documents",
        files={"file": ("재택근무 공지.pdf", scan.read_bytes())},
        data={"knowledge_base": "scans"},
    )
    assert response.status_code == 200 and response.json()["status"] == "added", response.text
    body = client.post(
        "/v1/ask", json={"question": "재택은 일주일에 몇 번까지 돼요?", "knowledge_base": "scans"}
    ).json()
    assert not body["refused"] and "2회" in body["answer"], body
    cited = body["citations"][0]
    assert (
        cited["source_uri"].endswith("재택근무 공지.pdf") and cited["page"] == 2 and cited["ocr"]
    ), cited
