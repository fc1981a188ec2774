#!/usr/bin/env bash
# The test command: install, provision the offline models, lint, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/kdocqa models --all
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy app ingest retrieval eval ui
.venv/bin/python -m pytest -q "$@"
