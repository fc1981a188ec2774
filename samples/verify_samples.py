#!/usr/bin/env python3
"""Sanity checks for the sample corpus (run after build_samples.py).

    .venv/bin/python samples/verify_samples.py

* extracts text from every file in samples/docs/ with ordinary parsers
  (pdfminer.six, python-docx, openpyxl, python-pptx, hwp_hwpx_parser,
  charset_normalizer for the CP949 text file) and prints format, pages/sheets/
  slides and character counts;
* checks every answerable question's answer occurs verbatim in the extracted
  text of its source, and that the page-2 questions of the multi-page PDF are
  answered on page 2 only;
* lists number+unit tokens that occur in more than one document (to keep facts
  distinct across documents);
* checks the 3 MB size budget of samples/.
Exit status 1 if a check fails.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
sys.path.insert(0, str(HERE))
import corpus_content as C  # noqa: E402

PAGE2_QUESTIONS = {"q04", "q05", "q06", "q07"}  # 인사_휴가규정.pdf page 2


def extract(path: Path) -> tuple[str, str]:
    """Return (text, unit description)."""
    ext = path.suffix.lower()
    if ext == ".pdf":
        from pdfminer.high_level import extract_pages, extract_text

        n = sum(1 for _ in extract_pages(str(path)))
        return extract_text(str(path)), f"{n} pages"
    if ext == ".docx":
        import docx

        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        for t in d.tables:
            parts += [" | ".join(c.text for c in row.cells) for row in t.rows]
        heads = sum(1 for p in d.paragraphs if p.style.name.startswith("Heading"))
        return "\n".join(parts), f"{len(d.tables)} tables, {heads} headings"
    if ext == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(str(path), read_only=True)
        parts = []
        for ws in wb.worksheets:
            parts.append(f"## {ws.title}")
            for row in ws.iter_rows(values_only=True):
                parts.append(" | ".join("" if v is None else str(v) for v in row))
        return "\n".join(parts), f"{len(wb.worksheets)} sheets ({', '.join(wb.sheetnames)})"
    if ext == ".pptx":
        from pptx import Presentation

        prs = Presentation(str(path))
        parts = []
        for s in prs.slides:
            for sh in s.shapes:
                if sh.has_text_frame:
                    parts.append(sh.text_frame.text)
                if getattr(sh, "has_table", False) and sh.has_table:
                    for row in sh.table.rows:
                        parts.append(" | ".join(c.text for c in row.cells))
        return "\n".join(parts), f"{len(prs.slides)} slides"
    if ext == ".hwpx":
        from hwp_hwpx_parser import Reader

        with Reader(str(path)) as r:
            text, tables = r.text, r.tables
        return text, f"1 section, {len(tables)} tables"
    if ext == ".md":
        return path.read_text(encoding="utf-8"), "markdown"
    if ext == ".txt":
        from charset_normalizer import from_bytes

        raw = path.read_bytes()
        best = from_bytes(raw).best()
        try:
            raw.decode("utf-8")
            utf8 = "UTF-8-decodable!"
        except UnicodeDecodeError:
            utf8 = "not UTF-8"
        return raw.decode(
            "cp949"
        ), f"{utf8}, charset_normalizer guess={best.encoding if best else None}"
    raise ValueError(path)


def hangul(s: str) -> int:
    return sum(1 for ch in s if "\uac00" <= ch <= "\ud7a3")


NUM_TOKEN = re.compile(
    r"(?:US\$\s?)?\d[\d,.]*\s?(?:만\s?원|억\s?원|원|일|시간|분|자|%|명|개월|년|회|대|면|포인트|km|GB|MB|주|석|개사|건)"
)


def main() -> int:
    ok = True
    texts: dict[str, str] = {}
    print(f"{'file':38} {'fmt':5} {'units':44} {'chars':>6} {'hangul':>6}")
    for doc in C.ALL_DOCS:
        p = DOCS / doc["file"]
        text, units = extract(p)
        texts[doc["file"]] = text
        nh = hangul(text)
        flag = "" if 300 <= nh <= 2500 else "  <-- hangul count out of 300..2500"
        print(f"{doc['file']:38} {doc['format']:5} {units:44} {len(text):6} {nh:6}{flag}")
        if flag:
            ok = False
        if "\ufffd" in text or "(cid:" in text:
            print("   !! replacement chars / cid codes in extracted text")
            ok = False

    # questions
    qs = [
        json.loads(line)
        for line in (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    per_doc = defaultdict(int)
    for q in qs:
        if not q["answerable"]:
            if q["answer"] or q["source"]:
                print(f"{q['id']}: unanswerable must have empty answer/source")
                ok = False
            continue
        per_doc[q["source"]] += 1
        t = texts.get(q["source"])
        if t is None:
            print(f"{q['id']}: unknown source {q['source']}")
            ok = False
        elif q["answer"] not in t:
            squashed = re.sub(r"\s+", " ", t)
            where = (
                "only after whitespace normalisation" if q["answer"] in squashed else "NOT FOUND"
            )
            print(f"{q['id']}: answer {q['answer']!r} {where} in {q['source']}")
            ok = False
    missing = [d["file"] for d in C.ALL_DOCS if per_doc[d["file"]] == 0]
    if missing:
        print("documents without a question:", missing)
        ok = False
    n_un = sum(1 for q in qs if not q["answerable"])
    print(f"\n{len(qs)} questions ({len(qs) - n_un} answerable, {n_un} unanswerable)")

    # page-specific facts of the multi-page PDF
    from pdfminer.high_level import extract_text

    leave = DOCS / C.LEAVE_PDF["file"]
    p1 = extract_text(str(leave), page_numbers=[0])
    p2 = extract_text(str(leave), page_numbers=[1])
    for q in qs:
        if q["id"] in PAGE2_QUESTIONS:
            on1, on2 = q["answer"] in p1, q["answer"] in p2
            print(f"{q['id']} {q['answer']!r}: page1={on1} page2={on2}")
            if not on2 or on1:
                ok = False

    # same number+unit used in several documents?
    occ = defaultdict(set)
    for f, t in texts.items():
        for m in NUM_TOKEN.finditer(t):
            tok = re.sub(r"\s", "", m.group(0))
            before = t[max(0, m.start() - 2) : m.start()]
            if (
                (tok.endswith("일") and "월" in before)
                or re.fullmatch(r"\d{4}년", tok)
                or re.match(r"\d+\.\D", tok)
            ):
                continue  # dates ("3월 1일", "2025년") and list numbering ("1. 일비")
            occ[tok].add(f)
    answers = {re.sub(r"\s", "", q["answer"]) for q in qs if q["answerable"]}
    print("\nnumber tokens shared by several documents (* = also a question answer):")
    for tok, files in sorted(occ.items()):
        if len(files) > 1:
            print(f"  {'*' if tok in answers else ' '} {tok:14} {sorted(files)}")

    size = sum(
        p.stat().st_size for p in HERE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    print(f"\nsamples/ total size: {size:,} bytes")
    if size >= 3 * 1024 * 1024:
        ok = False
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
