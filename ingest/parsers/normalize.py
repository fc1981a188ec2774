"""Text clean-up applied to every element, whatever the format."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff]")
_HSPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
SENTENCE_END = re.compile(r"([.!?。]|(다|요|음|함|됨|임|것)[.!?]?)[\"'”’)]?$")
"""A line that ends like a Korean or English sentence (not a heading, not a wrapped line)."""


def clean_text(text: str) -> str:
    """NFC (PDFs and macOS files often carry decomposed Hangul jamo, which search would miss),
    no control characters, single spaces; line breaks are kept as paragraph-internal breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _HSPACE.sub(" ", _CONTROL.sub(" ", text))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
