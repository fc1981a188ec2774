"""Document text and model output as inert Markdown: every character Markdown, HTML or
Streamlit gives a meaning to is backslash-escaped, so a document carrying `![x](http://…)`,
`[click](javascript:…)`, `<img onerror=…>`, `$math$` or `:red[…]` shows those characters
and nothing else — no image is fetched, no link is made, no HTML runs."""

from __future__ import annotations

import re
import string

_PUNCTUATION = set(string.punctuation)
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
_WORD = re.compile(r"[0-9A-Za-z가-힣]+")
_AUTOLINKED = re.compile(r"(?i)(https?|ftp|mailto|www|@)")
WORD_JOINER = "\u2060"
"""Invisible; after a scheme, `www` or `@` it stops GFM's autolinks, which ignore escapes."""


def escape(text: str) -> str:
    """Text for st.markdown that renders exactly as written, on one line. CommonMark lets any
    ASCII punctuation be backslash-escaped; a word joiner after `http`, `www` or `@` stops
    bare URLs and addresses from being auto-linked (found in the browser), and escaping `:`
    stops `:emoji:` / `:color[…]` from being read."""
    flat = _AUTOLINKED.sub(lambda m: m.group(0) + WORD_JOINER, " ".join(text.split()))
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in flat)


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def _words(text: str) -> set[str]:
    """Words and their 2-character prefixes (Korean stems carry particles: "연차는" ~ "연차")."""
    found = set()
    for word in _WORD.findall(text.lower()):
        found.add(word)
        if len(word) > 2:
            found.add(word[:2])
    return found


def supporting_sentence(snippet: str, claims: list[str]) -> tuple[str, str, str]:
    """The snippet split around the sentence that shares the most words with the answer's
    sentences citing it: (before, supporting, after). No overlap: ("", "", snippet)."""
    wanted = set().union(*(_words(c) for c in claims)) if claims else set()
    best, best_score = "", 0
    for candidate in sentences(snippet):
        score = len(_words(candidate) & wanted)
        if score > best_score:
            best, best_score = candidate, score
    if not best:
        return "", "", snippet
    start = snippet.find(best)
    return snippet[:start], best, snippet[start + len(best) :]


def highlighted(snippet: str, claims: list[str]) -> str:
    """Escaped Markdown of the snippet with its supporting sentence on a yellow background."""
    before, match, after = supporting_sentence(snippet, claims)
    if not match:
        return escape(snippet)
    parts = [escape(before), f":orange-background[{escape(match)}]", escape(after)]
    return " ".join(p for p in parts if p)
