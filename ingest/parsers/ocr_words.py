"""Words the Korean model read in no Korean, read again by the other language models.

Measured on rendered Korean pages (`python -m eval ocr`): Tesseract with `kor+eng` lets the
English model take Hangul words for Latin ones ("신청은" → "ABS"), while `kor` alone reads the
Hangul well but every Latin word wrong ("SBS" → "585", "Gobi" → "6001"). So the page is read by the Korean model, and each run of words it
read without a Hangul letter but with a letter or digit is cut out of the page and read again
by the other models; the reading with the higher confidence is kept. All those crops are read
in one Tesseract run (stacked into one strip), so a page costs two runs, not one per word.

Tesseract's TSV gives a Hangul eojeol as one "word" per syllable, while its plain text keeps
the word spacing; the TSV words of a line are aligned to the text line's characters so that a
run can be replaced inside an eojeol ("10<와의" → "IOC와의").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image

_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_LETTER = re.compile(r"[A-Za-z]")
DOUBTFUL = 35.0
"""Hangul words read with less confidence join a neighbouring foreign run (chosen on
generated dev pages, `eval/ocr_eval.py`)."""
_GAP = 24
"""White pixels around and between the crops of the strip."""


@dataclass(frozen=True)
class Word:
    """One TSV word: its line, box (left, top, right, bottom), confidence and text."""

    line: tuple[int, int, int]
    box: tuple[int, int, int, int]
    confidence: float
    text: str


Reader = Callable[[Image.Image], list[Word]]
"""Reads an image with the other models and returns its TSV words."""


def tsv_words(tsv: str) -> list[Word]:
    """The recognised words of Tesseract's TSV output, in reading order."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        words.append(
            Word(
                line=(int(cells[2]), int(cells[3]), int(cells[4])),
                box=(left, top, left + width, top + height),
                confidence=float(cells[10]),
                text=cells[11].strip(),
            )
        )
    return words


def mean_confidence(words: Sequence[Word]) -> float:
    """Mean word confidence (0-100) weighted by word length."""
    scored = [w for w in words if w.confidence >= 0]
    letters = sum(len(w.text) for w in scored)
    return sum(w.confidence * len(w.text) for w in scored) / letters if letters else 0.0


def reread(
    lines: list[str], words: list[Word], page: Image.Image, read: Reader
) -> tuple[list[str], list[Word]]:
    """The text lines and words with each foreign-script run replaced where `read` is surer.

    A line whose TSV words do not spell its text (Tesseract's two outputs disagree) is kept
    as it is.
    """
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    groups = list(by_line.values())
    if len(groups) != len(lines):
        return lines, words
    runs = [_runs(text, group) for text, group in zip(lines, groups, strict=True)]
    candidates = [run for line_runs in runs for run in line_runs]
    if not candidates:
        return lines, words
    boxes = [
        _run_box(run, group)
        for group, line_runs in zip(groups, runs, strict=True)
        for run in line_runs
    ]
    readings = _read_strip(page, boxes, read)
    better = {
        id(run): reading
        for run, reading in zip(candidates, readings, strict=True)
        if _latin(reading) and mean_confidence(reading) > mean_confidence(run)
    }
    new_lines = [
        _rewrite(text, group, [run for run in line_runs if id(run) in better], better)
        for text, group, line_runs in zip(lines, groups, runs, strict=True)
    ]
    replaced = {id(w) for run in candidates if id(run) in better for w in run}
    kept = [w for w in words if id(w) not in replaced]
    return new_lines, kept + [w for reading in better.values() for w in reading]


def _latin(reading: list[Word]) -> bool:
    """Whether a reading holds a Latin letter: digits the Korean model reads well, so a
    reading of digits alone (often with a neighbour's stroke added) replaces nothing."""
    return any(_LETTER.search(w.text) for w in reading)


def _is_foreign(word: Word) -> bool:
    """Read with no Hangul syllable but a letter or digit (a lone jamo is no Hangul: the
    Korean model writes one for a stroke it cannot place)."""
    return not _SYLLABLE.search(word.text) and bool(_ALNUM.search(word.text))


def _is_doubtful(word: Word) -> bool:
    """A Hangul reading so unsure that it is likely part of a foreign word ("Portal" read
    "『01" + "리" at confidence 30)."""
    return word.confidence < DOUBTFUL or not _SYLLABLE.search(word.text)


def _spans(text: str, group: list[Word]) -> list[int] | None:
    """For each word, the index in `text` where it starts, or None when they do not spell it."""
    starts, position = [], 0
    for word in group:
        while position < len(text) and text[position] == " ":
            position += 1
        if not text.startswith(word.text, position):
            return None
        starts.append(position)
        position += len(word.text)
    return starts if not text[position:].strip() else None


def _runs(text: str, group: list[Word]) -> list[list[Word]]:
    """Maximal runs of foreign or doubtful words adjacent inside one space-separated token,
    holding at least one foreign word."""
    starts = _spans(text, group)
    if starts is None:
        return []
    runs: list[list[Word]] = []
    current: list[Word] = []
    previous_end = -2
    for word, start in zip(group, starts, strict=True):
        fits = _is_foreign(word) or _is_doubtful(word)
        if fits and (start == previous_end or not current):
            current.append(word)
        else:
            runs.append(current)
            current = [word] if fits else []
        previous_end = start + len(word.text)
    runs.append(current)
    return [run for run in runs if any(_is_foreign(w) for w in run)]


def _run_box(run: Sequence[Word], group: Sequence[Word]) -> tuple[int, int, int, int]:
    """The run's box, cut where its neighbours on the line begin: a misread word's box often
    reaches into the next one ("Portal" + "에서"), and the other model would read both."""
    first, last = group.index(run[0]), group.index(run[-1])
    left, right = min(w.box[0] for w in run), max(w.box[2] for w in run)
    cut_left = max(left, group[first - 1].box[2] + 1) if first > 0 else left
    cut_right = min(right, group[last + 1].box[0] - 1) if last + 1 < len(group) else right
    if cut_right - cut_left >= (right - left) / 2:  # overlapping boxes: keep the run's own
        left, right = cut_left, cut_right
    return left, min(w.box[1] for w in run), right, max(w.box[3] for w in run)


def _read_strip(
    page: Image.Image, boxes: list[tuple[int, int, int, int]], read: Reader
) -> list[list[Word]]:
    """Every box cut out of the page, stacked into one strip, read once; words per box."""
    width, height = page.size  # a crop past the edge would be padded black, read as ink
    crops = [
        page.crop((max(0, x0 - 1), max(0, y0 - 4), min(width, x1 + 1), min(height, y1 + 4)))
        for x0, y0, x1, y1 in boxes
    ]
    strip = Image.new(
        "L",
        (
            max(c.width for c in crops) + 2 * _GAP,
            sum(c.height for c in crops) + _GAP * (len(crops) + 1),
        ),
        255,
    )
    bands, y = [], _GAP
    for crop in crops:
        strip.paste(crop, (_GAP, y))
        bands.append((y - _GAP // 2, y + crop.height + _GAP // 2))
        y += crop.height + _GAP
    readings: list[list[Word]] = [[] for _ in crops]
    for word in read(strip):
        middle = (word.box[1] + word.box[3]) / 2
        for n, (top, bottom) in enumerate(bands):
            if top <= middle < bottom and _ALNUM.search(word.text):
                readings[n].append(word)
                break
    return [sorted(r, key=lambda w: w.box[0]) for r in readings]


def _rewrite(
    text: str, group: list[Word], runs: list[list[Word]], better: dict[int, list[Word]]
) -> str:
    """The line with each replaced run's characters swapped for its new reading."""
    if not runs:
        return text
    starts = dict(zip(map(id, group), _spans(text, group) or [], strict=True))
    pieces, position = [], 0
    for run in runs:
        start = starts[id(run[0])]
        end = starts[id(run[-1])] + len(run[-1].text)
        pieces += [text[position:start], " ".join(w.text for w in better[id(run)])]
        position = end
    return "".join([*pieces, text[position:]])
