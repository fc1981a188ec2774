"""Text from page images with Tesseract (Debian's tesseract-ocr and tesseract-ocr-kor).

Called through pytesseract, a pure-Python wrapper around the `tesseract` command: nothing to
compile (tesserocr needs libtesseract's headers and a matching build), and a crash in
Tesseract costs a subprocess, not the parser. Each page is cleaned up first (preprocess.py)
and read in page segmentation mode 6 (one uniform block of text), which read the probe's
notices word-perfect where the automatic layout analysis split Hangul lines apart.

What comes back is the page's lines with Tesseract's mean word confidence (0-100); a page
whose confidence is under the configured minimum is treated as unreadable, not indexed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import Image

from ingest.elements import ParseError
from ingest.parsers.normalize import clean_text
from ingest.parsers.ocr_words import Word, mean_confidence, reread, tsv_words
from ingest.parsers.preprocess import prepare

OcrMode = Literal["auto", "off"]


class OcrUnavailable(ParseError):
    """The file needs OCR and OCR is off, or Tesseract or its language data is missing."""

    reason = "ocr_unavailable"


class Unreadable(ParseError):
    """OCR ran but read too little with too little confidence to index."""

    reason = "ocr_unreadable"


@dataclass(frozen=True)
class OcrOptions:
    """How pages without a usable text layer are read (picklable: parse workers get it)."""

    mode: OcrMode = "auto"
    languages: str = "kor+eng"
    dpi: int = 300
    min_confidence: float = 40.0
    psm: int = 6
    timeout_s: float = 120.0

    @property
    def enabled(self) -> bool:
        return self.mode != "off"


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]
    confidence: float
    """Mean word confidence, 0-100, weighted by word length."""


@lru_cache(maxsize=8)
def missing(languages: str) -> str | None:
    """Why OCR cannot run here (Korean), or None when Tesseract and its languages are there."""
    if shutil.which("tesseract") is None:
        return "OCR 프로그램(Tesseract)이 설치되어 있지 않습니다 (apt-get install tesseract-ocr)"
    import pytesseract

    try:
        installed = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # a broken install: report it, do not crash the parser
        return f"Tesseract를 실행할 수 없습니다 ({type(exc).__name__})"
    absent = [lang for lang in languages.split("+") if lang not in installed]
    if absent:
        return f"Tesseract 언어 데이터({', '.join(absent)})가 없습니다 (tesseract-ocr-kor 등)"
    return None


def require(options: OcrOptions, name: str, why: str) -> None:
    """Raise OcrUnavailable naming the file when it needs OCR that cannot run."""
    if not options.enabled:
        raise OcrUnavailable(
            f"'{name}'은(는) {why} OCR이 꺼져 있어(KDOCQA_OCR=off) 읽지 않았습니다."
        )
    problem = missing(options.languages)
    if problem:
        raise OcrUnavailable(f"'{name}'은(는) {why} {problem}.")


def read_image(image: Image.Image, options: OcrOptions) -> OcrPage:
    """The page's text lines and confidence (call `require` first).

    The first language model reads the page; when it is Korean and others are configured,
    the words it read without Hangul are read again by them (ocr_words.py says why).
    """
    page = prepare(image)
    first, *others = options.languages.split("+")
    lines, words = _tesseract(page, first, options)
    if first == "kor" and others:
        second = "+".join(others)
        lines, words = reread(lines, words, page, lambda s: _tesseract(s, second, options)[1])
    return OcrPage(lines, mean_confidence(words))


def _tesseract(
    image: Image.Image, languages: str, options: OcrOptions
) -> tuple[list[str], list[Word]]:
    """One Tesseract run: the text lines (Tesseract's own word spacing, which the per-word TSV
    loses by splitting Hangul eojeols into syllables) and the TSV's words."""
    from pytesseract import pytesseract as tesseract

    with tesseract.save(image) as (base, input_file):
        tesseract.run_tesseract(
            input_file,
            base,
            "txt",
            languages,
            config=f"--psm {options.psm} -c tessedit_create_tsv=1",
            timeout=options.timeout_s,
        )
        text = Path(f"{base}.txt").read_text(encoding="utf-8")
        table = Path(f"{base}.tsv").read_text(encoding="utf-8")
    return [line for line in clean_text(text).split("\n") if line.strip()], tsv_words(table)
