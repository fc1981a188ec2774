#!/usr/bin/env bash
# Sets up and runs the product on the embedded default: installs, provisions the offline
# models, indexes samples/docs, then starts the API (port 8000) and the chat UI (port 8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/kdocqa models
.venv/bin/kdocqa ingest samples/docs --kb samples
.venv/bin/kdocqa serve &
API_PID=$!
trap 'kill $API_PID 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf http://127.0.0.1:8000/healthz >/dev/null && break; sleep 1; done
echo "API: http://127.0.0.1:8000/docs   채팅: http://127.0.0.1:8501"
.venv/bin/streamlit run ui/chat.py --server.address 127.0.0.1 --server.port 8501 \
  --server.headless true --browser.gatherUsageStats false
