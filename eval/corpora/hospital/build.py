"""(Re)generate the hospital corpus: docs/, questions.jsonl and corrupted.jsonl.

All text lives in content.py (documents) and questions.py (questions, checker cases); this
script only renders them. PDF, DOCX, XLSX, PPTX and HWPX reuse the renderers of
samples/build_samples.py (same libraries, same deterministic output); HWP is written by
eval/corpora/hwp_writer.py, HTML, Markdown and CP949 text here.

Usage (from the repo root; needs the `samples` extra, python-docx/openpyxl/python-pptx and
Debian's fonts-nanum):
    python -m eval.corpora.hospital.build
"""

from __future__ import annotations

import importlib.util
import json
import sys
from html import escape
from pathlib import Path
from types import ModuleType
from typing import Any

from eval.corpora import splits
from eval.corpora.hospital import content as C
from eval.corpora.hospital import questions as Q
from eval.corpora.hwp_writer import HwpBlock, HwpTable, write_hwp

HERE = Path(__file__).resolve().parent
DOCS_DIR = HERE / "docs"
REPO = HERE.parents[2]


def _samples_renderers() -> ModuleType:
    """samples/build_samples.py, pointed at this corpus (its footer and author read `C`)."""
    path = REPO / "samples" / "build_samples.py"
    spec = importlib.util.spec_from_file_location("_samples_build", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # build_samples imports its corpus_content
    spec.loader.exec_module(module)
    setattr(module, "C", C)  # noqa: B010 - the renderers read these module globals
    setattr(module, "AUTHOR", C.COMPANY)  # noqa: B010
    return module


def hwp_blocks(doc: dict[str, Any]) -> list[HwpBlock]:
    """The block list as HWP paragraphs; a table's caption is the paragraph above it."""
    out: list[HwpBlock] = []
    for block in doc["blocks"]:
        if block[0] == "table":
            out += [block[1], HwpTable(block[2])]
        elif block[0] != "pagebreak":
            out.append(block[1])
    return out


def render_hwp(doc: dict[str, Any], path: Path) -> None:
    write_hwp(path, hwp_blocks(doc))


def html_text(doc: dict[str, Any]) -> str:
    """An intranet-style page: headings, paragraphs and bordered tables with a caption."""
    tags = {"title": "h1", "meta": "p", "h1": "h2", "h2": "h3", "p": "p"}
    body: list[str] = []
    for block in doc["blocks"]:
        kind = block[0]
        if kind == "table":
            rows = block[2]
            head = "".join(f"<th>{escape(str(c))}</th>" for c in rows[0])
            cells = [
                "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                for row in rows[1:]
            ]
            body.append(
                f'<table border="1"><caption>{escape(block[1])}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table>"
            )
        elif kind in tags:
            cls = ' class="meta"' if kind == "meta" else ""
            body.append(f"<{tags[kind]}{cls}>{escape(block[1])}</{tags[kind]}>")
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(doc['title'])}</title>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def render_html(doc: dict[str, Any], path: Path) -> None:
    path.write_bytes(html_text(doc).encode("utf-8"))


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    bs = _samples_renderers()
    renderers = {
        "pdf": bs.render_pdf,
        "docx": bs.render_docx,
        "xlsx": bs.render_xlsx,
        "pptx": bs.render_pptx,
        "hwpx": bs.render_hwpx,
        "md": bs.render_md,
        "txt": bs.render_txt,
        "hwp": render_hwp,
        "html": render_html,
    }
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    all_docs: list[dict[str, Any]] = C.ALL_DOCS
    wanted = {d["file"] for d in all_docs}
    for old in DOCS_DIR.iterdir():
        if old.is_file() and old.name not in wanted:
            old.unlink()
    for doc in all_docs:
        out = DOCS_DIR / doc["file"]
        renderers[doc["format"]](doc, out)
        print(f"wrote {out.relative_to(REPO)} ({out.stat().st_size:,} bytes)")
    questions = splits.assign(Q.question_rows(), "type")
    write_jsonl(HERE / "questions.jsonl", questions)
    cases = splits.assign(Q.corrupted_rows(), "kind")
    write_jsonl(HERE / "corrupted.jsonl", cases)
    print(f"wrote {len(questions)} questions, {len(cases)} checker cases")


if __name__ == "__main__":
    main()
