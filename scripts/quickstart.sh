#!/usr/bin/env bash
# Sets up and runs the product on the embedded default: installs, provisions the offline
# models, indexes samples/docs, then starts the API (port 8000) and the chat UI (port 8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/kdocqa models
.venv/bin/kdocqa ingest samples/docs --kb samples
# An admin API key for the local user, saved once (mode 0600); once a key exists every /v1
# route needs one. Without any key the API is an open single-user install.
KEY_FILE=data/admin.key
if [ -s "$KEY_FILE" ]; then
  echo "관리자 API 키: $KEY_FILE"
elif [ -z "$(.venv/bin/kdocqa keys list)" ]; then
  NAME=$(id -un | tr -c '0-9A-Za-z_\n-' '-' | cut -c1-64)
  (umask 077 && .venv/bin/kdocqa keys create "${NAME:-local}" --role admin | tail -n 1 >"$KEY_FILE")
  echo "관리자 API 키를 만들어 $KEY_FILE 에 저장했습니다 (권한 0600). 채팅 UI에 입력하세요."
else
  echo "API 키가 이미 있습니다: kdocqa keys list / kdocqa keys create NAME --role reader" >&2
fi
.venv/bin/kdocqa serve &
API_PID=$!
trap 'kill $API_PID 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf http://127.0.0.1:8000/healthz >/dev/null && break; sleep 1; done
echo "API: http://127.0.0.1:8000/docs   채팅: http://127.0.0.1:8501"
.venv/bin/streamlit run ui/app.py --server.address 127.0.0.1 --server.port 8501 \
  --server.headless true --browser.gatherUsageStats false
