#!/usr/bin/env bash
# Creates .venv and installs the project with its pinned dependencies (idempotent).
# torch is pinned to the CPU build in pyproject.toml, so pip never pulls a CUDA torch.
# llama-cpp-python compiles from source on first install (several minutes); pip caches the
# built wheel in ~/.cache/pip, so later installs on the same machine reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's postgresql: the database tests start a throwaway cluster from its initdb/pg_ctl
# (tests/pg_cluster.py); the service itself defaults to SQLite and needs no server.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "warning: Debian's postgresql is missing (sudo apt-get install -y postgresql); the database tests need it" >&2
  fi
fi
# Debian's docker-compose: tests/test_compose.py validates docker-compose.yml with its `config`
# (no Docker daemon needed).
if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "warning: Debian's docker-compose is missing (sudo apt-get install -y docker-compose); the compose test needs it" >&2
  fi
fi
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip wheel
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
# A venv made before PDF moved to PDFium still holds unstructured[pdf]'s torchvision, which breaks
# every transformers model import ("operator torchvision::nms does not exist"). Nothing here
# uses it, and a fresh install no longer brings it.
.venv/bin/python -m pip uninstall -y -q torchvision 2>/dev/null || true
.venv/bin/python -c "import llama_cpp, qdrant_edge, kiwipiepy, unstructured, transformers.modeling_utils" \
  || { echo "install failed" >&2; exit 1; }
