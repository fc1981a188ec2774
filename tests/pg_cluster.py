"""A throwaway PostgreSQL cluster (Debian's `postgresql` package, installed by
scripts/install.sh) for the database tests: initdb and pg_ctl under a temporary folder, run as
the `postgres` user when the tests run as root (CI), no system service needed."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import free_port


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        pytest.fail(f"PostgreSQL {name} not found: run scripts/install.sh (Debian's postgresql)")
    return found[-1]


def _as_owner(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; the package's `postgres` user runs them."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    root = Path(tempfile.mkdtemp(prefix="kdocqa-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    quiet = {"check": True, "capture_output": True}
    subprocess.run(
        _as_owner([_binary("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]), **quiet
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [_binary("pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w"]
    subprocess.run(_as_owner([*start, "start"]), **quiet)
    try:
        subprocess.run(
            _as_owner(
                [
                    _binary("createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "kdocqa",
                ]
            ),
            **quiet,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/kdocqa"
    finally:
        subprocess.run(_as_owner([_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]))
        shutil.rmtree(root, ignore_errors=True)
