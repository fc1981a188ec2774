#!/usr/bin/env bash
# GPU figures (README "GPU"): builds the llama.cpp that the pinned llama-cpp-python vendors,
# with CUDA, and measures with the product's own Python binding and llama.cpp's server:
#   * the build itself (time, and whether the binding offloads to the GPU),
#   * time to first token for a 2,048-token prompt, in-process (llama-cpp-python, as the API),
#   * single-stream decode tokens/s, against the memory-bandwidth bound (weights bytes read
#     once per token: bandwidth / model file size),
#   * aggregate decode tokens/s with LLM_PARALLEL (16) slots of llama-server, the `llm` service.
# Figures go to $OUT (the device tool's folder) or eval/reports/gpu.
#
# Prepare HERE first (a registry is reachable here, not there): bash scripts/gpu_bench_prepare.sh
# then on the device: run(command="bash scripts/gpu_bench.sh", carry=["build/gpu"]).
# GGUF files: MODELS="a.gguf b.gguf" (default: every *.gguf in data/models, shared/models,
# build/gpu/models); none there → only the build is reported.
# CPU check of this script (no CUDA): CUDA=off PROMPT_TOKENS=128 DECODE_TOKENS=16 SLOTS=2 \
#   SLOT_TOKENS=8 MODELS=data/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf bash scripts/gpu_bench.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-eval/reports/gpu}
CUDA=${CUDA:-on}
JOBS=${JOBS:-$(nproc)}
PROMPT_TOKENS=${PROMPT_TOKENS:-2048}
DECODE_TOKENS=${DECODE_TOKENS:-256}
SLOTS=${SLOTS:-16}
SLOT_TOKENS=${SLOT_TOKENS:-256}
CARRIED=build/gpu
WORK=${WORK:-/tmp/kdocqa-gpu}
mkdir -p "$OUT" "$WORK"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1

{ echo "date: $(date -Is)"; uname -a; nproc; free -g | head -2
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv 2>&1 || true
  nvcc --version 2>&1 | tail -2 || true; } > "$OUT/machine.txt"

# -- build: the vendored llama.cpp (shared libraries for the binding, and llama-server).
# LLAMA_BUILD=DIR reuses a build of an earlier call (DIR/bin/llama-server, libllama.so below).
src="$WORK/src"
if [ ! -d "$src/llama.cpp" ]; then
  mkdir -p "$src" && tar -xzf "$CARRIED/llama.cpp.tar.gz" -C "$src" && tar -xzf "$CARRIED/llama-cpp-python.tar.gz" -C "$src"
fi
build="${LLAMA_BUILD:-$WORK/build-$CUDA}"
if [ ! -x "$build/bin/llama-server" ]; then
  build_start=$(date +%s)
  arch=${CUDA_ARCHITECTURES:-native}
  cmake -S "$src/llama.cpp" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGGML_CUDA="$CUDA" -DCMAKE_CUDA_ARCHITECTURES="$arch" -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON \
    > "$OUT/build.log" 2>&1 \
    && cmake --build "$build" -j "$JOBS" --target llama llama-server >> "$OUT/build.log" 2>&1
  build_rc=$?
  echo "{\"cuda\": \"$CUDA\", \"rc\": $build_rc, \"seconds\": $(( $(date +%s) - build_start ))}" > "$OUT/build.json"
  tail -5 "$OUT/build.log"
  [ "$build_rc" = 0 ] || { echo "build failed (see $OUT/build.log)"; exit 1; }
fi
bin="$build/bin"
lib=$(dirname "$(find "$build" -name 'libllama.so' | head -1)")

# The product's binding over these libraries: its pure-Python package, pointed at them.
site="$WORK/site"
mkdir -p "$site"
cp -r "$src"/llama_cpp_python-*/llama_cpp "$site/"
"$PY" -m pip install -q --no-index --no-deps --target "$site" "$CARRIED"/diskcache-*.whl 2>/dev/null || true
export PYTHONPATH="$site" LLAMA_CPP_LIB_PATH="$lib" LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"

if [ -z "${MODELS:-}" ]; then
  MODELS=$(ls data/models/*.gguf shared/models/*.gguf "$CARRIED"/models/*.gguf 2>/dev/null | tr '\n' ' ')
fi
if [ -z "$MODELS" ]; then
  echo "no GGUF model on this machine: only the build is reported" | tee "$OUT/models.txt"
  exit 0
fi

ngl=999; [ "$CUDA" = on ] || ngl=0
for model in $MODELS; do
  name=$(basename "$model" .gguf)
  echo "== $name"
  "$PY" scripts/gpu_bench.py inprocess --model "$model" --gpu-layers "$ngl" \
    --prompt-tokens "$PROMPT_TOKENS" --decode-tokens "$DECODE_TOKENS" --out "$OUT/inprocess-$name.json"
  port=18080
  ctx=$(( SLOTS * (640 + SLOT_TOKENS) ))  # each slot: a ~300-token prompt and its answer
  "$bin/llama-server" -m "$model" --host 127.0.0.1 --port "$port" -ngl "$ngl" \
    --parallel "$SLOTS" --ctx-size "$ctx" --cont-batching > "$WORK/server-$name.log" 2>&1 &
  server=$!
  "$PY" scripts/gpu_bench.py parallel --url "http://127.0.0.1:$port" --slots "$SLOTS" \
    --tokens "$SLOT_TOKENS" --out "$OUT/parallel-$name.json"
  kill "$server"; wait "$server" 2>/dev/null
done
"$PY" scripts/gpu_bench.py summary --dir "$OUT" --out "$OUT/summary.json"
