"""Numbers, amounts and dates in a claim, compared by value or as written with its source."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|만|천)?")
_UNIT = {"억": 100_000_000, "천만": 10_000_000, "백만": 1_000_000, "만": 10_000, "천": 1_000}
_CLOCK = re.compile(
    r"(?:(오전|오후)\s*)?(?<![\d.,])(\d{1,2})\s*(?::\s*(\d{2})(?!\d)|시(?!간)(?:\s*(\d{1,2})\s*분)?)"
)


def _clock_times(text: str) -> tuple[list[tuple[float, float]], str]:
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


def numbers(text: str) -> list[tuple[float, float]]:
    """Each figure as written and with its Korean scale word applied ('50만' → 50, 500000);
    times of day in hours."""
    numbers, text = _clock_times(text)
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


def number_reasons(
    sentence: str, cited_text: str, restated: frozenset[float] = frozenset()
) -> list[str]:
    """The sentence's figures the cited text lacks, by value or as written (a table puts the
    unit in its header: "148.6" under "(억 원)" supports "148.6억 원"). `restated` figures come
    from the question and some retrieved passage ("1인당" in "1인당 얼마까지?"): not a claim."""
    source = numbers(cited_text)
    written, scaled = {w for w, _ in source}, {v for _, v in source}
    missing = {
        value
        for as_written, value in numbers(sentence)
        if value not in scaled and as_written not in written and value not in restated
    }
    return [
        f"숫자 {f'{v:,.0f}' if v == int(v) else f'{v:g}'}이(가) 근거 문서에 없습니다"
        for v in sorted(missing)
    ]
