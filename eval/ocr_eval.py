"""OCR accuracy and speed on rendered Korean pages, and ingestion with 10% scans (`python -m eval ocr`).

Pages are KorQuAD sentences rendered with fonts-nanum (three faces) and degraded four ways
(eval/scans.py: clean, noisy, skewed 1-3 degrees, photo-like JPEG). Each page is read twice:
as the ingester reads it (pre-processing, page segmentation mode 6) and raw (Tesseract's
defaults on the unprocessed image), so the table shows what the pre-processing buys.
Character error rate: edit distance over the reference's characters, spaces removed (OCR's
word spacing is scored apart, as the share of reference spaces it misses or adds).
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from eval.ingest_bench import SEED, build_corpus, korean_sentences
from eval.scans import CONDITIONS, FONTS, degrade, notice_lines, render_page, scanned_pdf
from eval.speed_bench import machine
from ingest.index import Indexer, discover
from ingest.parsers.ocr import OcrOptions, read_image
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder
from retrieval.settings import RetrievalSettings
from retrieval.store.edge import EdgeStore


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _read_raw(image: Image.Image, options: OcrOptions) -> str:
    """Tesseract's defaults on the image as it is: no clean-up, automatic layout (psm 3)."""
    import pytesseract

    return str(pytesseract.image_to_string(image, lang=options.languages))


def page_figures(reference: str, read: str) -> dict[str, float]:
    ref, hyp = _squeeze(reference), _squeeze(read)
    return {"chars": len(ref), "errors": edit_distance(ref, hyp)}


DEV_OFFSET = 101
"""Dev pages (`--dev`) come from another seed: the OCR rules are chosen on them, not on the
report's pages."""


def measure_pages(pages_per_condition: int, options: OcrOptions, offset: int = 0) -> dict[str, Any]:
    rng = random.Random(SEED + offset)
    sentences = korean_sentences()
    rows: list[dict[str, Any]] = []
    for condition in CONDITIONS:
        for n in range(pages_per_condition):
            lines = notice_lines(rng, sentences, count=rng.randint(12, 18))
            font = FONTS[n % len(FONTS)]
            image = degrade(render_page(lines, font), condition, seed=n + offset)
            reference = "\n".join(lines)
            started = time.perf_counter()
            page = read_image(image, options)
            seconds = time.perf_counter() - started
            text = "\n".join(page.lines)
            raw = _read_raw(image, options)
            rows.append(
                {
                    "condition": condition,
                    "font": font,
                    "seconds": round(seconds, 2),
                    "confidence": round(page.confidence, 1),
                    **page_figures(reference, text),
                    "raw_errors": page_figures(reference, raw)["errors"],
                    "worst_lines": _worst_lines(lines, page.lines),
                }
            )
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "worst_lines"}), flush=True)
    return {"pages": rows, "table": _table(rows)}


def _worst_lines(reference: list[str], read: list[str]) -> list[list[str]]:
    """Up to two reference lines with what OCR read for them (paired by position), worst first."""
    pairs = [
        (edit_distance(_squeeze(r), _squeeze(h)), r, h)
        for r, h in zip(reference, read, strict=False)
    ]
    return [[r, h] for d, r, h in sorted(pairs, reverse=True)[:2] if d]


def _table(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for condition in [*CONDITIONS, "all"]:
        chosen = [r for r in rows if condition in ("all", r["condition"])]
        chars = sum(r["chars"] for r in chosen)
        seconds = sum(r["seconds"] for r in chosen)
        table[condition] = {
            "pages": len(chosen),
            "cer_pct": round(100 * sum(r["errors"] for r in chosen) / chars, 2),
            "raw_cer_pct": round(100 * sum(r["raw_errors"] for r in chosen) / chars, 2),
            "pages_per_s": round(len(chosen) / seconds, 3),
            "mean_confidence": round(sum(r["confidence"] for r in chosen) / len(chosen), 1),
        }
    return table


def ingest_with_scans(embedder: Embedder, files: int, tmp: Path) -> dict[str, Any]:
    """Index a generated shared drive (eval/ingest_bench.py) where 10% of the files are
    scanned PDFs of one or two pages; full index, every phase included."""
    rng = random.Random(SEED)
    root = tmp / "공유드라이브"
    _, formats = build_corpus(root, files - files // 10, rng)
    sentences = korean_sentences()
    for n in range(files // 10):
        pages = [
            degrade(render_page(notice_lines(rng, sentences)), rng.choice(CONDITIONS[1:]), n + p)
            for p in range(rng.randint(1, 2))
        ]
        scanned_pdf(pages, root / f"스캔 {n:03d}.pdf")
    store = EdgeStore(tmp / "store", "chunks")
    try:
        report = Indexer(store, embedder, IngestSettings(), RetrievalSettings()).ingest(
            root, "bench"
        )
    finally:
        store.close()
    scans = [o for o in report.outcomes if Path(o.path).name.startswith("스캔")]
    return {
        "files": len(list(discover(root))),
        "scans": files // 10,
        "formats": dict(formats),
        "seconds": round(report.seconds, 1),
        "files_per_s": round(len(report.outcomes) / report.seconds, 2),
        "counts": report.counts(),
        "scans_added": sum(o.status == "added" for o in scans),
        "phases_s": {k: round(v, 1) for k, v in report.phases.items()},
    }


def run(
    embedder: Embedder, pages_per_condition: int, files: int, out_dir: Path, dev: bool = False
) -> dict[str, Any]:
    """Writes ocr.json (ocr-dev.json for the dev pages): per-page figures, the CER table and
    the ingestion with scans."""
    if shutil.which("tesseract") is None:
        raise SystemExit("tesseract is not installed (scripts/install.sh installs it)")
    options = IngestSettings().ocr_options()
    report: dict[str, Any] = {"machine": machine(), "languages": options.languages}
    report.update(measure_pages(pages_per_condition, options, DEV_OFFSET if dev else 0))
    print(json.dumps(report["table"], indent=2), flush=True)
    if files:
        with tempfile.TemporaryDirectory() as tmp:
            report["ingest_10pct_scans"] = ingest_with_scans(embedder, files, Path(tmp))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ("ocr-dev.json" if dev else "ocr.json")).write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return {k: v for k, v in report.items() if k != "pages"}
