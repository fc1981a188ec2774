"""Numbers, amounts and dates in a claim, compared by value or as written with its source."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from itertools import combinations

from retrieval.korean import split_lines_and_sentences

_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|만|천)?")
_UNIT = {"억": 100_000_000, "천만": 10_000_000, "백만": 1_000_000, "만": 10_000, "천": 1_000}
_KINDED = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|만|천)?\s*([가-힣%]?)")
_CLOCK = re.compile(
    r"(?:(오전|오후)\s*)?(?<![\d.,])(\d{1,2})\s*(?::\s*(\d{2})(?!\d)|시(?!간)(?:\s*(\d{1,2})\s*분)?)"
)


def clock_times(text: str) -> tuple[list[tuple[float, float]], str]:
    """Times of day as one figure in hours ("15:30", "15시 30분" and "오후 3시 30분" are all
    15.5; "오후 3시" is also 3 as written), and the text without them — so that the "00" of
    "15:00" is not read as the number 0 that a source writing "15시" lacks."""
    found = []
    for match in _CLOCK.finditer(text):
        half, hour, minute = match.group(1), int(match.group(2)), match.group(3) or match.group(4)
        if hour > 24 or (minute and int(minute) >= 60):
            continue
        value = hour + (12 if half == "오후" and hour < 12 else 0) + int(minute or 0) / 60
        found.append((float(hour) if half else value, value))
    return found, _CLOCK.sub(" ", text)


def kinded_figures(text: str) -> frozenset[tuple[float, str]]:
    """(value, kind): the value with its scale word applied, and the first letter after it
    ("일", "원", "%"; "시각" for a time of day) — what tells 15일 from 15%."""
    times, rest = clock_times(text)
    found = {(value, "시각") for _, value in times}
    for digits, scale, kind in _KINDED.findall(rest):
        try:
            value = float(digits.replace(",", "")) * _UNIT.get(scale, 1)
        except ValueError:
            continue
        found.add((value, kind))
    return frozenset(found)


def numbers(text: str) -> list[tuple[float, float]]:
    """Each figure as written and with its Korean scale word applied ('50만' → 50, 500000);
    times of day in hours."""
    numbers, text = clock_times(text)
    for digits, unit in _NUMBER.findall(text):
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            continue
        numbers.append((value, value * _UNIT[unit] if unit else value))
    return numbers


def number_values(text: str) -> set[float]:
    """Numeric values with Korean scale words applied: '50만 원' and '500,000원' are equal."""
    return {scaled for _, scaled in numbers(text)}


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def computed(
    figure: tuple[float, str],
    units: Sequence[frozenset[tuple[float, str]]],
    factors: Collection[float] = frozenset(),
) -> bool:
    """Whether the claim's (value, kind) is what an employee's arithmetic question asks for: the
    sum or difference of two figures of its kind in one sentence or table row ("의료수익 |
    612억 원 | 655억 원" → "43억 원 늘었다"), or a source figure of its kind times a count in
    the question ("출장 3일" × "1일 30,000원"). Figures of other kinds or sentences are not
    combined, nor are sums under 10: "연차 15일 … 경조사 5일" must not make a wrong "20일"
    pass, nor "3분기 … 12.0%" a wrong "15.0%". `units`: the source's figures per sentence or
    row (`figure_units`)."""
    value, kind = figure
    if not kind or kind == "시각":
        return False
    same_kind = [[v for v, k in unit if k == kind] for unit in units]
    counts = [q for q in factors if q >= 2 and q == int(q)]
    if any(_close(value, a * q) for unit in same_kind for a in unit for q in counts):
        return True
    return value >= 10 and any(
        _close(value, a + b) or _close(value, abs(a - b))
        for unit in same_kind
        for a, b in combinations(unit, 2)
    )


def figure_units(source: str) -> list[frozenset[tuple[float, str]]]:
    """The source's kinded figures per sentence or table row: what `computed` may combine."""
    return [kinded_figures(unit) for unit in split_lines_and_sentences(source)]


def number_reasons(
    sentence: str,
    cited_text: str,
    restated: frozenset[float] = frozenset(),
    factors: frozenset[float] = frozenset(),
) -> list[str]:
    """The sentence's figures the cited text lacks, by value or as written (a table puts the
    unit in its header: "148.6" under "(억 원)" supports "148.6억 원"), unless computed from it
    with the question's `factors`. `restated` figures come from the question and some
    retrieved passage ("1인당" in "1인당 얼마까지?"): not a claim."""
    source = numbers(cited_text)
    written, scaled = {w for w, _ in source}, {v for _, v in source}
    missing = {
        value
        for as_written, value in numbers(sentence)
        if value not in scaled and as_written not in written and value not in restated
    }
    if missing:
        kinds = {v: k for v, k in kinded_figures(sentence)}
        units = figure_units(cited_text)  # Kiwi splits the source once, not per figure
        missing = {v for v in missing if not computed((v, kinds.get(v, "")), units, factors)}
    return [
        f"숫자 {f'{v:,.0f}' if v == int(v) else f'{v:g}'}이(가) 근거 문서에 없습니다"
        for v in sorted(missing)
    ]
