"""The held-out hospital corpus and the samples rewrites stay honest (eval/corpora/).

Every answer must be in the text our parsers extract from the committed documents, the
schema and the dev/test split must hold, and the HWP writer must produce files that both our
parser and an independent decode (olefile + zlib, no project code) read.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import olefile
import pytest

from eval.answer_eval import summarize
from eval.corpora import splits
from eval.corpora.hospital import build
from eval.corpora.hospital import content as C
from eval.corpora.hwp_writer import HwpTable, hwp_bytes, write_hwp
from eval.corpora.verify import read_jsonl, verify_corpus, verify_rewrites
from ingest.parsers import parse_file

CORPUS = Path(build.__file__).resolve().parent
MIN_TYPES = {
    "paraphrase": 30,
    "condition": 30,
    "table": 25,
    "computed": 15,
    "multi_doc": 15,
    "unanswerable": 25,
    "direct": 10,
}


def test_every_answer_is_in_the_parsed_documents() -> None:
    assert verify_corpus(CORPUS) == []


def test_samples_rewrites_match_their_base_questions() -> None:
    assert verify_rewrites() == []


def test_corpus_size_types_formats_and_split() -> None:
    questions = read_jsonl(CORPUS / "questions.jsonl")
    counts = Counter(q["type"] for q in questions)
    assert len(questions) >= 150
    assert all(counts[t] >= n for t, n in MIN_TYPES.items()), counts
    assert 0.35 <= sum(q["split"] == "dev" for q in questions) / len(questions) <= 0.45
    cases = read_jsonl(CORPUS / "corrupted.jsonl")
    unsupported = sum(not c["supported"] for c in cases)
    assert len(cases) >= 60 and 0.6 <= unsupported / len(cases) <= 0.72
    docs = sorted((CORPUS / "docs").iterdir())
    suffixes = {d.suffix for d in docs}
    assert len(docs) >= 12
    assert suffixes >= {".pdf", ".docx", ".xlsx", ".pptx", ".hwpx", ".hwp", ".md", ".html", ".txt"}
    assert sum(d.stat().st_size for d in docs) < 3 * 1024 * 1024


def test_text_file_is_cp949_not_utf8() -> None:
    raw = (CORPUS / "docs" / C.PARKING_TXT["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "셔틀버스" in raw.decode("cp949")


def test_split_is_stable_under_reordering() -> None:
    rows = [{"id": f"x{i}", "type": "a" if i % 3 else "b"} for i in range(30)]
    forward = {r["id"]: r["split"] for r in splits.assign(rows, "type")}
    backward = {r["id"]: r["split"] for r in splits.assign(rows[::-1], "type")}
    assert forward == backward
    assert sum(s == "dev" for s in forward.values()) == 12


@pytest.mark.parametrize("doc", [C.INFECTION_HWP, C.SHIFT_HWP], ids=lambda d: d["file"])
def test_committed_hwp_files_are_current(doc: dict) -> None:
    """The committed .hwp bytes are what content.py renders to (the writer is deterministic)."""
    assert (CORPUS / "docs" / doc["file"]).read_bytes() == hwp_bytes(build.hwp_blocks(doc))


def _independent_hwp_text(path: Path) -> tuple[bytes, list[str]]:
    """FileHeader and paragraph texts, decoded without any project code."""
    with olefile.OleFileIO(str(path)) as ole:
        header = ole.openstream("FileHeader").read()
        data = zlib.decompress(ole.openstream("BodyText/Section0").read(), -15)
    texts, offset = [], 0
    while offset < len(data):
        (head,) = struct.unpack_from("<I", data, offset)
        tag, size = head & 0x3FF, head >> 20
        offset += 4
        if size == 0xFFF:
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        if tag == 67:  # PARA_TEXT; control characters (< 32) dropped by the filter below
            texts.append(data[offset : offset + size].decode("utf-16-le"))
        offset += size
    return header, ["".join(ch for ch in t if ch >= " ") for t in texts]


def test_hwp_writer_output_reads_with_our_parser_and_independently(tmp_path: Path) -> None:
    path = tmp_path / "당직.hwp"
    long_text = "야간 당직자는 근무일지를 작성한다. " * 200  # a section stream over 4 KiB
    rows = [
        ["직종", "평일", "휴일"],
        ["간호직", "60,000원", "110,000원"],
        ["행정직", "50,000원", "90,000원"],
    ]
    write_hwp(path, ["당직 규정", long_text, "[표 1] 당직수당", HwpTable(rows), "끝."])
    header, texts = _independent_hwp_text(path)
    assert header.startswith(b"HWP Document File") and header[36] & 1  # compressed
    assert "당직 규정" in texts[0] and long_text.strip() in [t.strip() for t in texts]
    assert "110,000원" in texts
    elements = parse_file(path)
    table = next(e for e in elements if "간호직" in e.text)
    assert "간호직 | 평일: 60,000원 | 휴일: 110,000원" in table.text  # cells under their headers
    assert elements[-1].text == "끝."


def test_questions_jsonl_is_what_questions_py_builds() -> None:
    built = splits.assign(build.Q.question_rows(), "type")
    on_disk = [
        json.loads(line) for line in (CORPUS / "questions.jsonl").read_text("utf-8").splitlines()
    ]
    assert built == on_disk


def test_the_whole_answer_latency_counts_the_first_token_once() -> None:
    """generate_ms already holds the wait for the first token: adding first_token_ms again
    overstated answer latency in earlier reports."""

    def row(first: float | None, generate: float, draft: str = "답 [1]") -> dict[str, Any]:
        timings = {"rewrite_ms": 0.0, "retrieve_ms": 10.0, "generate_ms": generate}
        timings |= {"check_ms": 500.0, "first_token_ms": first}
        return {"answerable": False, "refused": True, "draft": draft, "consistency": None} | {
            "timings": timings,
            "type": "unanswerable",
            "split": "dev",
        }

    rows = [row(14_000, 17_000), row(9_000, 10_000), row(None, 0.0, draft="")]
    latency = summarize(rows)["latency_ms"]
    assert latency["answer_ms"]["p50"] == (17_510 + 10_510) / 2
    assert latency["first_token_ms"]["p50"] == 11_500
