"""Korean text handling shared by ingestion, retrieval and answering: one Kiwi instance.

Kiwi's model ships in the `kiwipiepy_model` wheel, so it works offline. Loading takes about a
second, so the analyser is created once per process.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from kiwipiepy import Kiwi

# Content morphemes: nouns, numerals, verb/adjective stems, roots, adverbs, foreign words,
# numbers and hanja. Particles (J*), endings (E*), suffixes (XS*) and punctuation are dropped.
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "MAG", "SL", "SN", "SH", "W_SERIAL"}
)
NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH"})

_lock = threading.Lock()


@lru_cache(maxsize=4)
def get_kiwi(user_dictionary: Path | None = None) -> Kiwi:
    kiwi = Kiwi()
    if user_dictionary is not None:
        kiwi.load_user_dictionary(str(user_dictionary))
    return kiwi


def normalize(text: str) -> str:
    """NFC-normalise so decomposed Hangul (macOS file names, some PDFs) matches composed text."""
    return unicodedata.normalize("NFC", text)


def morphemes(text: str, user_dictionary: Path | None = None) -> list[tuple[str, str]]:
    """(form, tag) pairs; Latin is lower-cased so 'VPN' and 'vpn' are one term."""
    kiwi = get_kiwi(user_dictionary)
    with _lock:
        tokens = kiwi.tokenize(normalize(text))
    return [(t.form.lower() if t.tag == "SL" else t.form, t.tag) for t in tokens]


def content_terms(text: str, user_dictionary: Path | None = None) -> list[str]:
    return [form for form, tag in morphemes(text, user_dictionary) if tag in CONTENT_TAGS]


_WORD = re.compile(r"[0-9a-z]+|[가-힣]+|[^\W0-9a-z가-힣_]+")
_HANGUL = re.compile(r"[가-힣]")


def has_hangul(text: str) -> bool:
    """Any Hangul syllable: how answers pick their language and the parsers their classifier."""
    return _HANGUL.search(text) is not None


def in_korean(text: str) -> bool:
    """More Hangul than Latin letters: a Korean regulation quoting "VPN" is still Korean."""
    hangul = len(_HANGUL.findall(text))
    return hangul > 0 and hangul >= sum(ch.isascii() and ch.isalpha() for ch in text)


def char_bigrams(text: str) -> list[str]:
    """Overlapping character pairs inside each Hangul run; Latin words and numbers kept whole.

    Catches what morpheme analysis splits differently in question and document (unknown
    compounds, names, typos), at the cost of about three times the terms per chunk.
    """
    terms: list[str] = []
    for word in _WORD.findall(normalize(text).lower()):
        if len(word) > 1 and "가" <= word[0] <= "힣":
            terms.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            terms.append(word)
    return terms


def split_sentences(text: str) -> list[str]:
    """Korean-aware sentence split (Kiwi handles sentences without final punctuation)."""
    text = normalize(text).strip()
    if not text:
        return []
    kiwi = get_kiwi()
    with _lock:
        sentences = kiwi.split_into_sents(text)
    return [s.text.strip() for s in sentences if s.text.strip()]


def split_lines_and_sentences(text: str) -> list[str]:
    """Sentences of each line: a line break ends a claim too. Kiwi joins lines that lack final
    punctuation, so a model's list answer ("출장 정산 기한: 7일\n결과보고서 기한: 14일") or a
    table's rows would otherwise be read as one sentence with both figures and every marker."""
    return [s for line in text.splitlines() for s in split_sentences(line)]
