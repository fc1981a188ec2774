"""Optional second stage: a cross-encoder reads (question, passage) pairs and re-orders the hits.

No multilingual cross-encoder ships on PyPI, so the stage is off unless `reranker_model` names
one (e.g. dragonkue/bge-reranker-v2-m3-ko, a Hugging Face name or a local path).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol


class Reranker(Protocol):
    name: str

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        """Relevance of each passage to the query; higher is more relevant."""


class CrossEncoderReranker:
    """Any sentence-transformers CrossEncoder, on CPU unless a GPU is visible to torch."""

    def __init__(self, name_or_path: str, max_length: int = 512) -> None:
        from sentence_transformers import CrossEncoder

        self._model = CrossEncoder(name_or_path, max_length=max_length)
        self.name = name_or_path

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        return [float(s) for s in self._model.predict([(query, p) for p in passages])]


@lru_cache(maxsize=2)
def load_reranker(name_or_path: str) -> Reranker:
    try:
        return CrossEncoderReranker(name_or_path)
    except OSError as error:
        raise FileNotFoundError(
            f"리랭커 모델을 불러올 수 없습니다: {name_or_path}. 로컬 경로나 내려받은 모델 이름을 "
            "지정하거나 KDOCQA_RERANKER_MODEL을 비우세요."
        ) from error
