#!/usr/bin/env bash
# Creates .venv and installs the project with its pinned dependencies (idempotent).
# torch is pinned to the CPU build in pyproject.toml, so pip never pulls a CUDA torch.
# llama-cpp-python compiles from source on first install (several minutes); pip caches the
# built wheel in ~/.cache/pip, so later installs on the same machine reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages the product and its tests use, each checked by a file it installs; what is
# missing is installed with one `apt-get update` (as root), or named in a warning otherwise.
#   postgresql: the database tests start a throwaway cluster (tests/pg_cluster.py); the service
#     itself defaults to SQLite.
#   tesseract-ocr, tesseract-ocr-kor: OCR of scans and images (ingest/parsers/ocr.py); without
#     them such files are reported, not indexed. fonts-nanum renders the Korean test scans.
#   chromium, chromium-driver: the browser tests drive the UI through selenium.
#   docker-compose: tests/test_compose.py validates the compose files with `config` (no daemon).
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/kor.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-kor)
[ -d /usr/share/fonts/truetype/nanum ] || missing+=(fonts-nanum)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: Debian packages missing (sudo apt-get install -y ${missing[*]}); tests that need them fail" >&2
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
