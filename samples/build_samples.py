#!/usr/bin/env python3
"""(Re)generate the sample corpus in samples/docs/ and samples/questions.jsonl.

All text lives in samples/corpus_content.py; this script only renders it into
real file formats with real libraries:

    PDF  reportlab (NanumGothic TTF embedded -> extractable Korean text)
    DOCX python-docx (Title / Heading 1 / Heading 2 styles, real tables)
    XLSX openpyxl (header row per sheet, several sheets)
    PPTX python-pptx (title + bullet / table slides)
    HWPX hand-written OWPML package modelled on Hancom-written files
         (header.xml copied verbatim from a Hancom sample, see templates/)
    MD   written verbatim (UTF-8)
    TXT  encoded as CP949 with CRLF line endings

Output is byte-for-byte deterministic: fixed document timestamps, reportlab
invariant mode and zip entries rewritten with a fixed date.

Usage (from the repo root):
    .venv/bin/python samples/build_samples.py
Requires: reportlab, python-docx, openpyxl, python-pptx and a Korean TTF font
(Debian/Ubuntu: apt-get install fonts-nanum; or set SAMPLES_KO_FONT=/path/x.ttf).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus_content as C  # noqa: E402

DOCS_DIR = HERE / "docs"
TEMPLATES = HERE / "templates"
QUESTIONS_PATH = HERE / "questions.jsonl"

FIXED_DT = _dt.datetime(2025, 10, 27, 9, 0, 0)
FIXED_ISO = "2025-10-27T09:00:00Z"
ZIP_DT = (2025, 10, 27, 9, 0, 0)
AUTHOR = C.COMPANY

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/nanum-gothic/NanumGothic.ttf",
    "/Library/Fonts/NanumGothic.ttf",
    "C:/Windows/Fonts/NanumGothic.ttf",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _find_font() -> tuple[str, str]:
    env = os.environ.get("SAMPLES_KO_FONT")
    cands = ([env] if env else []) + FONT_CANDIDATES
    for reg in cands:
        if reg and Path(reg).is_file():
            bold = reg.replace("NanumGothic.ttf", "NanumGothicBold.ttf")
            return reg, (bold if Path(bold).is_file() else reg)
    raise SystemExit(
        "Korean TTF font not found. Install it (apt-get install -y fonts-nanum) "
        "or set SAMPLES_KO_FONT=/path/to/font.ttf"
    )


def normalize_zip(path: Path, stored_first: str | None = None) -> None:
    """Rewrite an OOXML/HWPX zip with fixed timestamps (deterministic bytes)."""
    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + FIXED_ISO.encode(),
                    data,
                )
            zi = zipfile.ZipInfo(name, date_time=ZIP_DT)
            zi.compress_type = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            zout.writestr(zi, data)
    path.write_bytes(buf.getvalue())


def _iter_blocks(doc):
    for b in doc["blocks"]:
        yield b[0], b[1:]


# ---------------------------------------------------------------------------
# PDF (reportlab)
# ---------------------------------------------------------------------------

_PDF_FONTS_DONE = False


def render_pdf(doc: dict, path: Path) -> None:
    global _PDF_FONTS_DONE
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if not _PDF_FONTS_DONE:
        reg, bold = _find_font()
        pdfmetrics.registerFont(TTFont("KoSans", reg))
        pdfmetrics.registerFont(TTFont("KoSans-Bold", bold))
        pdfmetrics.registerFontFamily(
            "KoSans", normal="KoSans", bold="KoSans-Bold", italic="KoSans", boldItalic="KoSans-Bold"
        )
        _PDF_FONTS_DONE = True

    st = {
        "title": ParagraphStyle(
            "t", fontName="KoSans-Bold", fontSize=18, leading=24, alignment=1, spaceAfter=4
        ),
        "meta": ParagraphStyle(
            "m",
            fontName="KoSans",
            fontSize=8.5,
            leading=12,
            alignment=1,
            textColor=colors.HexColor("#555555"),
            spaceAfter=10,
        ),
        "h1": ParagraphStyle(
            "h1",
            fontName="KoSans-Bold",
            fontSize=12.5,
            leading=17,
            spaceBefore=8,
            spaceAfter=3,
            textColor=colors.HexColor("#1F3864"),
        ),
        "h2": ParagraphStyle(
            "h2", fontName="KoSans-Bold", fontSize=10.5, leading=15, spaceBefore=4, spaceAfter=1
        ),
        "p": ParagraphStyle("p", fontName="KoSans", fontSize=10, leading=15, spaceAfter=2),
        "cap": ParagraphStyle(
            "cap", fontName="KoSans-Bold", fontSize=9, leading=13, spaceBefore=4, spaceAfter=2
        ),
        "cell": ParagraphStyle("cell", fontName="KoSans", fontSize=9, leading=12),
        "hcell": ParagraphStyle(
            "hcell", fontName="KoSans-Bold", fontSize=9, leading=12, alignment=1
        ),
    }
    width = A4[0] - 40 * mm
    story = []
    for kind, args in _iter_blocks(doc):
        if kind in ("title", "meta", "h1", "h2", "p"):
            story.append(Paragraph(escape(args[0]), st[kind]))
        elif kind == "table":
            caption, rows = args
            story.append(Paragraph(escape(caption), st["cap"]))
            data = [
                [Paragraph(escape(str(c)), st["hcell" if r == 0 else "cell"]) for c in row]
                for r, row in enumerate(rows)
            ]
            tbl = Table(
                data, colWidths=[width / len(rows[0])] * len(rows[0]), repeatRows=1, hAlign="LEFT"
            )
            tbl.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 3),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ]
                )
            )
            story += [tbl, Spacer(1, 4)]
        elif kind == "pagebreak":
            story.append(PageBreak())
        else:
            raise ValueError(kind)

    title = doc["title"]

    def footer(canvas, d):
        canvas.saveState()
        canvas.setFont("KoSans", 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(20 * mm, 12 * mm, f"{C.COMPANY} · {title}")
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"- {d.page} -")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=AUTHOR,
        subject=doc["topic"],
        creator="samples/build_samples.py",
        invariant=1,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)


# ---------------------------------------------------------------------------
# DOCX (python-docx)
# ---------------------------------------------------------------------------


def _set_docx_font(style, name="맑은 고딕"):
    from docx.oxml.ns import qn

    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def render_docx(doc: dict, path: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt, RGBColor

    d = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        _set_docx_font(d.styles[name])
    d.styles["Normal"].font.size = Pt(10.5)

    for kind, args in _iter_blocks(doc):
        if kind == "title":
            d.add_heading(args[0], level=0)
        elif kind == "meta":
            p = d.add_paragraph()
            r = p.add_run(args[0])
            r.italic = True
            r.font.size = Pt(9)
            r.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif kind == "h1":
            d.add_heading(args[0], level=1)
        elif kind == "h2":
            d.add_heading(args[0], level=2)
        elif kind == "p":
            d.add_paragraph(args[0])
        elif kind == "table":
            caption, rows = args
            d.add_paragraph(caption, style="Caption")
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(rows):
                for c, val in enumerate(row):
                    cell = t.cell(r, c)
                    cell.text = str(val)
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        elif kind == "pagebreak":
            pass
        else:
            raise ValueError(kind)

    cp = d.core_properties
    cp.title, cp.author, cp.last_modified_by = doc["title"], AUTHOR, AUTHOR
    cp.subject, cp.language = doc["topic"], "ko-KR"
    cp.created = cp.modified = FIXED_DT
    cp.revision = 1
    d.save(str(path))
    normalize_zip(path)


# ---------------------------------------------------------------------------
# XLSX (openpyxl)
# ---------------------------------------------------------------------------


def _disp_len(v) -> int:
    s = str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def render_xlsx(doc: dict, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for sheet in doc["sheets"]:
        ws = wb.create_sheet(sheet["name"])
        rows = sheet["rows"]
        for r, row in enumerate(rows, start=1):
            for c, val in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c, value=val)
                cell.border = border
                cell.alignment = Alignment(vertical="center", wrap_text=False)
                if r == 1:
                    cell.font = Font(bold=True)
                    cell.fill = PatternFill("solid", fgColor="DCE6F1")
                    cell.alignment = Alignment(horizontal="center", vertical="center")
                elif isinstance(val, int):
                    cell.number_format = "#,##0"
        for c in range(1, len(rows[0]) + 1):
            w = max(_disp_len(row[c - 1]) for row in rows)
            ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, 8), 48)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"
        for i, note in enumerate(sheet.get("notes", [])):
            ws.cell(row=len(rows) + 2 + i, column=1, value=note).font = Font(italic=True)
    p = wb.properties
    p.creator = p.lastModifiedBy = AUTHOR
    p.title, p.subject, p.language = doc["title"], doc["topic"], "ko-KR"
    p.created = p.modified = FIXED_DT
    wb.save(str(path))
    normalize_zip(path)


# ---------------------------------------------------------------------------
# PPTX (python-pptx)
# ---------------------------------------------------------------------------


def render_pptx(doc: dict, path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    for i, s in enumerate(doc["slides"]):
        if "subtitle" in s:
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            slide.shapes.title.text = s["title"]
            slide.placeholders[1].text = s["subtitle"]
            for ph in slide.placeholders:
                ph.left = Inches(0.8)
                ph.width = prs.slide_width - Inches(1.6)
        elif "table" in s:
            slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only
            slide.shapes.title.text = s["title"]
            rows = s["table"]
            shape = slide.shapes.add_table(
                len(rows),
                len(rows[0]),
                Inches(1.2),
                Inches(1.8),
                Inches(10.9),
                Inches(0.55) * len(rows),
            )
            for r, row in enumerate(rows):
                for c, val in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = str(val)
                    for para in cell.text_frame.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(18)
            shape.table.columns[0].width = Inches(3.0)
            shape.table.columns[1].width = Inches(7.9)
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])  # Title and Content
            slide.shapes.title.text = s["title"]
            body = slide.placeholders[1]
            body.width = prs.slide_width - Inches(1.6)
            body.left = Inches(0.8)
            tf = body.text_frame
            for j, (level, text) in enumerate(s["bullets"]):
                para = tf.paragraphs[0] if j == 0 else tf.add_paragraph()
                para.text = text
                para.level = level
        slide.shapes.title.left = Inches(0.8)
        slide.shapes.title.width = prs.slide_width - Inches(1.6)
        # speaker notes make the deck a bit more realistic (and test notes extraction)
        slide.notes_slide.notes_text_frame.text = f"슬라이드 {i + 1}: {s['title']}"
    cp = prs.core_properties
    cp.title, cp.author, cp.last_modified_by = doc["title"], AUTHOR, AUTHOR
    cp.subject, cp.language = doc["topic"], "ko-KR"
    cp.created = cp.modified = FIXED_DT
    cp.revision = 1
    prs.save(str(path))
    normalize_zip(path)


# ---------------------------------------------------------------------------
# HWPX (OWPML package, structure copied from Hancom-written samples)
# ---------------------------------------------------------------------------

_NS = (
    'xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" '
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
    'xmlns:hp10="http://www.hancom.co.kr/hwpml/2016/paragraph" '
    'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hc="http://www.hancom.co.kr/hwpml/2011/core" '
    'xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head" '
    'xmlns:hhs="http://www.hancom.co.kr/hwpml/2011/history" '
    'xmlns:hm="http://www.hancom.co.kr/hwpml/2011/master-page" '
    'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:opf="http://www.idpf.org/2007/opf/" '
    'xmlns:ooxmlchart="http://www.hancom.co.kr/hwpml/2016/ooxmlchart" '
    'xmlns:hwpunitchar="http://www.hancom.co.kr/hwpml/2016/HwpUnitChar" '
    'xmlns:epub="http://www.idpf.org/2007/ops" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"'
)
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'

_HWPX_VERSION = (
    _XML_DECL + '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
    'tagetApplication="WORDPROCESSOR" major="5" minor="0" micro="5" buildNumber="0" '
    'os="1" xmlVersion="1.4" application="Hancom Office Hangul" '
    'appVersion="9, 1, 1, 5656 WIN32LEWindows_Unknown_Version"/>'
)
_HWPX_CONTAINER = (
    _XML_DECL + '<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
    'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles>'
    '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
    '<ocf:rootfile full-path="Preview/PrvText.txt" media-type="text/plain"/>'
    "</ocf:rootfiles></ocf:container>"
)
_HWPX_MANIFEST = (
    _XML_DECL + '<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
)
_HWPX_SETTINGS = (
    _XML_DECL + '<ha:HWPApplicationSetting xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0">'
    '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>'
)

# ids below refer to Contents/header.xml (templates/hwpx_header.xml)
_CHAR = {"title": 5, "meta": 2, "h1": 6, "h2": 0, "p": 0, "cell": 0}
_PARA_BODY, _PARA_CENTER = 3, 16
_BF_CELL, _BF_HEAD = 3, 4
_TEXT_WIDTH = 42520  # A4 minus margins, HWPUNIT


def _hp_para(
    pid: int, text: str, char_id: int = 0, para_id: int = _PARA_BODY, inner: str = ""
) -> str:
    t = f"<hp:t>{escape(text)}</hp:t>" if text else ""
    return (
        f'<hp:p id="{pid}" paraPrIDRef="{para_id}" styleIDRef="0" pageBreak="0" '
        f'columnBreak="0" merged="0"><hp:run charPrIDRef="{char_id}">{inner}{t}'
        f"</hp:run></hp:p>"
    )


def _hp_table(tid: int, rows: list[list]) -> str:
    n_rows, n_cols = len(rows), len(rows[0])
    col_w = _TEXT_WIDTH // n_cols
    row_h = 1800
    out = [
        f'<hp:tbl id="{tid}" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" '
        f'textFlow="BOTH_SIDES" lock="0" dropcapstyle="None" pageBreak="CELL" '
        f'repeatHeader="1" rowCnt="{n_rows}" colCnt="{n_cols}" cellSpacing="0" '
        f'borderFillIDRef="{_BF_CELL}" noAdjust="0">'
        f'<hp:sz width="{col_w * n_cols}" widthRelTo="ABSOLUTE" height="{row_h * n_rows}" '
        f'heightRelTo="ABSOLUTE" protect="0"/>'
        f'<hp:pos treatAsChar="0" affectLSpacing="0" flowWithText="1" allowOverlap="0" '
        f'holdAnchorAndSO="0" vertRelTo="PARA" horzRelTo="COLUMN" vertAlign="TOP" '
        f'horzAlign="LEFT" vertOffset="0" horzOffset="0"/>'
        f'<hp:outMargin left="283" right="283" top="283" bottom="283"/>'
        f'<hp:inMargin left="510" right="510" top="141" bottom="141"/>'
    ]
    for r, row in enumerate(rows):
        out.append("<hp:tr>")
        for c, val in enumerate(row):
            bf = _BF_HEAD if r == 0 else _BF_CELL
            out.append(
                f'<hp:tc name="" header="{1 if r == 0 else 0}" hasMargin="0" protect="0" '
                f'editable="0" dirty="0" borderFillIDRef="{bf}">'
                f'<hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" '
                f'vertAlign="CENTER" linkListIDRef="0" linkListNextIDRef="0" textWidth="0" '
                f'textHeight="0" hasTextRef="0" hasNumRef="0">'
                + _hp_para(0, str(val), _CHAR["cell"], _PARA_CENTER)
                + f'</hp:subList><hp:cellAddr colAddr="{c}" rowAddr="{r}"/>'
                f'<hp:cellSpan colSpan="1" rowSpan="1"/>'
                f'<hp:cellSz width="{col_w}" height="{row_h}"/>'
                f'<hp:cellMargin left="510" right="510" top="141" bottom="141"/></hp:tc>'
            )
        out.append("</hp:tr>")
    out.append("</hp:tbl>")
    return "".join(out)


def render_hwpx(doc: dict, path: Path) -> None:
    header_xml = (TEMPLATES / "hwpx_header.xml").read_bytes()
    secpr = (TEMPLATES / "hwpx_secpr.xml").read_text(encoding="utf-8")

    paras, preview = [], []
    pid, tid = 0, 1_000_000_001
    first = True
    for kind, args in _iter_blocks(doc):
        if kind == "pagebreak":
            continue
        if kind == "table":
            caption, rows = args
            paras.append(_hp_para(pid, caption, _CHAR["h2"]))
            paras.append(_hp_para(pid + 1, "", 0, _PARA_BODY, inner=_hp_table(tid, rows)))
            pid += 2
            tid += 1
            preview.append(caption)
            preview += ["".join(f"<{c}>" for c in row) for row in rows]
            continue
        text = args[0]
        para_id = _PARA_CENTER if kind in ("title", "meta") else _PARA_BODY
        inner = secpr if first else ""
        first = False
        paras.append(_hp_para(pid, text, _CHAR[kind], para_id, inner=inner))
        pid += 1
        preview.append(text)
    section = _XML_DECL + f"<hs:sec {_NS}>" + "".join(paras) + "</hs:sec>"

    content_hpf = (
        _XML_DECL + f"<opf:package {_NS} "
        'version="" unique-identifier="" id=""><opf:metadata>'
        f"<opf:title>{escape(doc['title'])}</opf:title><opf:language>ko</opf:language>"
        f'<opf:meta name="creator" content="text">{escape(AUTHOR)}</opf:meta>'
        f'<opf:meta name="subject" content="text">{escape(doc["topic"])}</opf:meta>'
        '<opf:meta name="description" content="text"/>'
        f'<opf:meta name="lastsaveby" content="text">{escape(AUTHOR)}</opf:meta>'
        f'<opf:meta name="CreatedDate" content="text">{FIXED_ISO}</opf:meta>'
        f'<opf:meta name="ModifiedDate" content="text">{FIXED_ISO}</opf:meta>'
        '<opf:meta name="keyword" content="text"/></opf:metadata><opf:manifest>'
        '<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
        '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
        '<opf:item id="settings" href="settings.xml" media-type="application/xml"/>'
        '</opf:manifest><opf:spine><opf:itemref idref="header" linear="yes"/>'
        '<opf:itemref idref="section0" linear="yes"/></opf:spine></opf:package>'
    )

    prv = "\r\n".join(preview)
    files = [  # order as in Hancom-written files; mimetype first and stored
        ("mimetype", b"application/hwp+zip"),
        ("version.xml", _HWPX_VERSION.encode()),
        ("Contents/header.xml", header_xml),
        ("Contents/section0.xml", section.encode("utf-8")),
        ("Preview/PrvText.txt", prv.encode("utf-8")),
        ("settings.xml", _HWPX_SETTINGS.encode()),
        ("META-INF/container.xml", _HWPX_CONTAINER.encode()),
        ("Contents/content.hpf", content_hpf.encode("utf-8")),
        ("META-INF/manifest.xml", _HWPX_MANIFEST.encode()),
    ]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, date_time=ZIP_DT)
            zi.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            z.writestr(zi, data)


# ---------------------------------------------------------------------------
# MD / TXT
# ---------------------------------------------------------------------------


def render_md(doc: dict, path: Path) -> None:
    path.write_bytes(doc["text"].encode("utf-8"))


def render_txt(doc: dict, path: Path) -> None:
    text = doc["text"].replace("\r\n", "\n").replace("\n", "\r\n")
    path.write_bytes(text.encode(doc.get("encoding", "cp949")))


RENDERERS = {
    "pdf": render_pdf,
    "docx": render_docx,
    "xlsx": render_xlsx,
    "pptx": render_pptx,
    "hwpx": render_hwpx,
    "md": render_md,
    "txt": render_txt,
}


def write_questions(path: Path) -> int:
    lines = []
    for qid, question, answer, src in C.QUESTIONS:
        lines.append(
            json.dumps(
                {
                    "id": qid,
                    "question": question,
                    "answer": answer,
                    "source": src["file"] if src else "",
                    "answerable": src is not None,
                },
                ensure_ascii=False,
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main() -> None:
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    wanted = {d["file"] for d in C.ALL_DOCS}
    for old in DOCS_DIR.iterdir():  # drop files no longer defined
        if old.is_file() and old.name not in wanted:
            old.unlink()
    for doc in C.ALL_DOCS:
        out = DOCS_DIR / doc["file"]
        RENDERERS[doc["format"]](doc, out)
        print(f"wrote {out.relative_to(HERE.parent)} ({out.stat().st_size:,} bytes)")
    n = write_questions(QUESTIONS_PATH)
    print(f"wrote {QUESTIONS_PATH.relative_to(HERE.parent)} ({n} questions)")


if __name__ == "__main__":
    main()
