"""Ingestion throughput on a generated shared drive: full index, then a re-sync with 1% changed.

The corpus mixes the formats a Korean office keeps (Markdown, UTF-8 and CP949 text, HTML,
DOCX, XLSX, PPTX written here with real Korean text from the KorQuAD paragraphs; PDF, HWPX and
HWP copied from samples/ and ../shared/data/real-docs) under department folders. Reported:
parse + chunk alone (files/s, no embedding or store), the full index (files/s, chunks/s and the
time per phase: hash, parse, embed, sparse, write), and the re-sync after changing 1% of the
files, with its speed-up over the full index.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import Workbook
from pptx import Presentation

from eval.datasets import SAMPLES, SHARED_DATA
from eval.retrieval_eval import KORQUAD
from eval.speed_bench import machine
from ingest.elements import ParseError
from ingest.index import Indexer, discover, element_chunks, file_chunks
from ingest.parse_pool import ParseJob, ParsePool, parse_workers
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder
from retrieval.korean import split_sentences
from retrieval.settings import RetrievalSettings
from retrieval.store.edge import EdgeStore

DEPARTMENTS = ["인사팀", "재무팀", "정보보안팀", "총무팀", "영업본부", "연구소"]
# Share of each format in the corpus (generated formats get unique text, copied ones are real
# files from elsewhere in the repository).
MIX = {"md": 20, "txt": 10, "cp949.txt": 5, "html": 10, "docx": 20, "xlsx": 10, "pptx": 10}
COPIED = {"pdf": 8, "hwpx": 5, "hwp": 2}
SEED = 11


def korean_sentences() -> list[str]:
    data = json.loads(KORQUAD.read_text(encoding="utf-8"))["data"]
    contexts = [p["context"] for a in data for p in a["paragraphs"]]
    return [s for c in contexts[:120] for s in split_sentences(c) if 20 < len(s) < 200]


def _sections(rng: random.Random, sentences: Sequence[str]) -> list[tuple[str, str]]:
    return [
        (
            f"제{n}조 ({rng.choice(['목적', '정의', '적용 범위', '절차', '예외'])})",
            " ".join(rng.sample(list(sentences), rng.randint(2, 4))),
        )
        for n in range(1, rng.randint(2, 3) + 1)
    ]


def write_file(path: Path, kind: str, title: str, sections: list[tuple[str, str]]) -> None:
    if kind == "md":
        body = "\n\n".join(f"## {h}\n\n{t}" for h, t in sections)
        path.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    elif kind in ("txt", "cp949.txt"):
        text = title + "\n\n" + "\n\n".join(f"{h}\n{t}" for h, t in sections) + "\n"
        encoding = "cp949" if kind == "cp949.txt" else "utf-8"
        path.write_text(text.encode(encoding, "ignore").decode(encoding), encoding=encoding)
    elif kind == "html":
        body = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
        path.write_text(
            f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>",
            encoding="utf-8",
        )
    elif kind == "docx":
        doc = Document()
        doc.add_heading(title, 1)
        for heading, text in sections:
            doc.add_heading(heading, 2)
            doc.add_paragraph(text)
        doc.save(str(path))
    elif kind == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "목록"
        sheet.append(["조항", "내용", "담당"])
        for heading, text in sections:
            sheet.append([heading, text, title[:10]])
        book.save(str(path))
    elif kind == "pptx":
        deck = Presentation()
        for heading, text in [(title, sections[0][1]), *sections[1:]]:
            slide = deck.slides.add_slide(deck.slide_layouts[1])
            slide.shapes.title.text = heading
            slide.placeholders[1].text = text
        deck.save(str(path))
    else:
        raise ValueError(kind)


def build_corpus(root: Path, files: int, rng: random.Random) -> tuple[list[Path], Counter[str]]:
    sentences = korean_sentences()
    copies = {
        "pdf": sorted((SAMPLES / "docs").glob("*.pdf")),
        "hwpx": sorted((SAMPLES / "docs").glob("*.hwpx"))
        + [SHARED_DATA / "real-docs" / "hwpx" / n for n in ("mot.hwpx", "Table.hwpx")],
        "hwp": [SHARED_DATA / "real-docs" / "hwp" / "merging-cell.hwp"],
    }
    weights = {**MIX, **COPIED}
    kinds = rng.choices(list(weights), weights=list(weights.values()), k=files)
    written = []
    for n, kind in enumerate(kinds):
        folder = root / DEPARTMENTS[n % len(DEPARTMENTS)] / f"{2020 + n % 6}년"
        folder.mkdir(parents=True, exist_ok=True)
        extension = "txt" if kind == "cp949.txt" else kind
        path = folder / f"문서 {n:05d}.{extension}"
        if kind in copies:
            shutil.copyfile(rng.choice(copies[kind]), path)
        else:
            write_file(path, kind, f"{DEPARTMENTS[n % 6]} 업무 기준 {n}", _sections(rng, sentences))
        written.append(path)
    return written, Counter(kinds)


def parse_only(paths: Sequence[Path], embedder: Embedder) -> dict[str, Any]:
    """Parse + chunk every file twice: the way a sync does it (parsing on one worker process
    per core but one, chunking in the main process; wall clock, worker start-up included), then in one
    process, timed per format after one untimed file per format (parsers load lazily)."""
    settings = IngestSettings()
    workers = parse_workers(settings.parse_workers)
    started = time.perf_counter()
    chunks = failed = 0
    with ParsePool(workers, settings.max_unpacked_mb, ocr=settings.ocr_options()) as pool:
        ahead: deque[ParseJob] = deque()
        for path in [*paths, None]:
            if path is not None:
                ahead.append(pool.submit(path))
            while ahead and (path is None or len(ahead) > pool.lookahead):
                try:
                    elements = pool.result(ahead.popleft())
                except ParseError:
                    failed += 1
                    continue
                chunks += len(element_chunks(elements, embedder.count_tokens, settings))
    parallel_seconds = time.perf_counter() - started

    for path in {p.suffix: p for p in paths}.values():
        with contextlib.suppress(ParseError):
            file_chunks(path, embedder.count_tokens, settings)
    per_format: dict[str, list[float]] = {}
    for path in paths:
        started = time.perf_counter()
        with contextlib.suppress(ParseError):
            file_chunks(path, embedder.count_tokens, settings)
        per_format.setdefault(path.suffix.lstrip("."), []).append(time.perf_counter() - started)
    seconds = sum(sum(times) for times in per_format.values())
    return {
        "workers": workers,
        "seconds": round(parallel_seconds, 1),
        "files_per_s": round(len(paths) / parallel_seconds, 1),
        "chunks": chunks,
        "failed": failed,
        "one_process": {
            "seconds": round(seconds, 1),
            "files_per_s": round(len(paths) / seconds, 1),
            "files_per_s_by_format": {
                kind: round(len(times) / sum(times), 1)
                for kind, times in sorted(per_format.items())
            },
            "share_of_parse_time": {
                kind: round(sum(times) / seconds, 3) for kind, times in sorted(per_format.items())
            },
        },
    }


def _index_figures(report: Any, files: int) -> dict[str, Any]:
    chunks = sum(o.chunks for o in report.outcomes)
    return {
        "seconds": round(report.seconds, 1),
        "files_per_s": round(files / report.seconds, 2),
        "chunks": chunks,
        "chunks_per_s": round(chunks / report.seconds, 2),
        "counts": report.counts(),
        "phases_s": {k: round(v, 1) for k, v in report.phases.items()},
    }


def index_and_resync(
    root: Path, store_dir: Path, embedder: Embedder, rng: random.Random
) -> dict[str, Any]:
    """A first full index of `root`, then a re-sync after appending to 1% of its Markdown files."""
    paths = list(discover(root))
    store = EdgeStore(store_dir, "chunks")
    indexer = Indexer(store, embedder, IngestSettings(), RetrievalSettings())
    full = indexer.ingest(root, "bench")
    figures: dict[str, Any] = {"full_index": _index_figures(full, len(paths))}
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    changed = rng.sample([p for p in paths if p.suffix == ".md"], max(1, len(paths) // 100))
    for path in changed:
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n## 부칙\n\n이 기준은 다음 달 1일부터 시행한다.\n")
    resync = indexer.ingest(root, "bench")
    store.close()
    figures["resync_1pct"] = {
        **_index_figures(resync, len(paths)),
        "changed_files": len(changed),
        "speedup_vs_full": round(full.seconds / resync.seconds, 1),
    }
    return figures


def run(
    embedder: Embedder, files: int, out_dir: Path, parse_only_run: bool = False
) -> dict[str, Any]:
    """Writes ingest.json, or ingest-parse.json for a parse-only run."""
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "공유드라이브"
        paths, formats = build_corpus(root, files, rng)
        report: dict[str, Any] = {
            "machine": machine(),
            "embedder": embedder.name,
            "files": len(paths),
            "formats": dict(formats),
            "parse_and_chunk": parse_only(paths, embedder),
        }
        print(json.dumps(report, ensure_ascii=False), flush=True)
        if not parse_only_run:
            report.update(index_and_resync(root, Path(tmp) / "store", embedder, rng))
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "ingest-parse.json" if parse_only_run else "ingest.json"
    (out_dir / name).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report
