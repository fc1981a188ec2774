#!/usr/bin/env bash
# Run HERE (registry reachable) before a GPU session: packs the llama.cpp sources vendored in
# the pinned llama-cpp-python (the same llama.cpp the product runs) into build/gpu/, small
# enough to travel to the device machine, which reaches no registry. Then, on the device:
#   run(command="bash scripts/gpu_bench.sh", carry=["build/gpu"])
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml | head -1)
mkdir -p build/gpu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip download -q --no-binary :all: --no-deps "llama-cpp-python==$version" -d "$work" 2>/dev/null
tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
src="$work/llama_cpp_python-$version/vendor/llama.cpp"
# Not needed to build the libraries, llama-bench and llama-server: vocabularies, docs, tests.
rm -rf "$src"/{models,docs,benches,tests,media,.devops,.git}
tar -czf build/gpu/llama.cpp.tar.gz -C "$(dirname "$src")" llama.cpp
# The Python package itself (built there with CUDA against the same sources) and the one
# dependency of llama-cpp-python the device's image lacks.
rm -rf "$work/llama_cpp_python-$version"/{vendor/llama.cpp,.git,examples,docs,tests}
tar -czf build/gpu/llama-cpp-python.tar.gz -C "$work" "llama_cpp_python-$version"
.venv/bin/python -m pip download -q --no-deps --only-binary=:all: diskcache==5.6.3 -d build/gpu 2>/dev/null
echo "$version" > build/gpu/llama-cpp-python.version
ls -la build/gpu
