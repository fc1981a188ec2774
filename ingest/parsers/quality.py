"""Is a page's extracted text worth indexing? A per-page gate before chunking.

A text layer can be junk: PDFs whose fonts lack a ToUnicode map come out as `(cid:123)` or
replacement characters, Hangul fonts embedded with private code points as private-use
characters, a legacy encoding read as another as mojibake ("ÇÑ±Û" for 한글), and a page of
only dots, rules and stray symbols has almost no letters. Such a page goes to OCR when OCR
can run; otherwise the file is reported with the reason, never indexed with the junk.
"""

from __future__ import annotations

import re
import unicodedata

_CID = re.compile(r"\(cid:\d+\)")
_LETTER = re.compile(r"[가-힣A-Za-z0-9]")
_HANGUL = re.compile(r"[가-힣]")
# Latin-1 letters that CP949 / UTF-8 bytes become when read as Latin-1 or CP1252.
_MOJIBAKE = re.compile(r"[\u00c0-\u00ff\u0080-\u009f¡-¿]")
_JUNK_SHARE = 0.1
"""A page with this share of junk characters (cid codes, U+FFFD, private use, mojibake) fails."""
_MIN_LETTER_SHARE = 0.3
"""Letters (Hangul or Latin) and digits (a page of figures is a table, not junk) must be at least
this share of the page's non-space characters."""
_MIN_CHARS = 20
"""Shorter pages (a page number, a signature line) are judged only on junk, not letters."""


def text_problem(text: str) -> str | None:
    """Why the text looks like glyph garbage (Korean, for the report), or None when it reads."""
    cids = len(_CID.findall(text))
    body = "".join(_CID.sub("", text).split())
    total = len(body) + cids
    if total == 0:
        return None
    replacement = body.count("\ufffd")
    private = sum(1 for ch in body if unicodedata.category(ch) == "Co")
    mojibake = len(_MOJIBAKE.findall(body)) if not _HANGUL.search(body) else 0
    if cids / total >= _JUNK_SHARE:
        return "글꼴 정보가 없어 글자가 (cid:NN) 코드로만 추출됩니다"
    if (replacement + private) / total >= _JUNK_SHARE:
        return "글자가 깨진 문자(�, 사용자 정의 영역)로 추출됩니다"
    if mojibake / total >= _JUNK_SHARE:
        return "글자가 잘못된 인코딩으로 깨져 있습니다"
    letters = len(_LETTER.findall(body))
    if total >= _MIN_CHARS and letters / total < _MIN_LETTER_SHARE:
        return "한글이나 영문 글자가 거의 없는 깨진 텍스트입니다"
    return None
