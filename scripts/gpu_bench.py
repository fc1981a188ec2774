"""Measurements for scripts/gpu_bench.sh: standard library and llama_cpp only, so that it runs
on a machine that has neither the project's environment nor a registry.

  inprocess  time to first token for an N-token prompt and single-stream decode tokens/s,
             through llama-cpp-python (the API's in-process path)
  parallel   aggregate decode tokens/s of a llama-server with S slots, S requests at once
  summary    the figures, the memory-bandwidth bound and the goals in one JSON
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TEXT = REPO / "samples" / "docs" / "신규입사자_온보딩_가이드.md"
# Memory bandwidth (GB/s) by the name nvidia-smi reports; BANDWIDTH_GBS overrides.
BANDWIDTH_GBS = {
    "H200": 4800,
    "H100 80GB HBM3": 3350,
    "H100 PCIe": 2000,
    "H100 NVL": 3900,
    "A100-SXM4-80GB": 2039,
    "A100 80GB PCIe": 1935,
    "A100-SXM4-40GB": 1555,
    "L40S": 864,
    "L4": 300,
    "A10": 600,
    "RTX 4090": 1008,
}


def _gpu_name() -> str:
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "no GPU"
    except (OSError, subprocess.TimeoutExpired):
        return "no GPU"


def _bandwidth(gpu: str) -> float | None:
    if os.environ.get("BANDWIDTH_GBS"):
        return float(os.environ["BANDWIDTH_GBS"])
    matches = [bw for name, bw in BANDWIDTH_GBS.items() if name in gpu]
    return float(max(matches)) if matches else None


def _prompt_tokens(tokenize: Any, count: int, salt: int) -> list[int]:
    """`count` tokens of real Korean text, different per `salt` (no KV-cache prefix reuse)."""
    text = f"[{salt}] " + TEXT.read_text("utf-8")
    tokens: list[int] = []
    while len(tokens) < count:
        tokens += tokenize(text)
    return tokens[:count]


def inprocess(args: argparse.Namespace) -> dict[str, Any]:
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=args.model,
        n_gpu_layers=args.gpu_layers,
        n_ctx=args.prompt_tokens + args.decode_tokens + 64,
        n_batch=min(2048, args.prompt_tokens),
        verbose=False,
    )

    def tokenize(text: str) -> list[int]:
        return llm.tokenize(text.encode("utf-8"), add_bos=False)

    def first_token_s(salt: int) -> float:
        llm.reset()  # nothing from the previous prompt is reused
        started = time.perf_counter()
        stream = llm.create_completion(
            _prompt_tokens(tokenize, args.prompt_tokens, salt),
            max_tokens=1,
            temperature=0.0,
            stream=True,
        )
        next(iter(stream))
        return time.perf_counter() - started

    first_token_s(0)  # warm-up: CUDA context, kernels
    ttft = [first_token_s(salt) for salt in (1, 2, 3)]
    llm.reset()
    short = _prompt_tokens(tokenize, 32, 9)
    generated, started, first = 0, time.perf_counter(), 0.0
    for _ in llm.generate(short, temp=0.0):  # no stop at end of text: exactly N tokens
        generated += 1
        if generated == 1:
            first = time.perf_counter()
        if generated > args.decode_tokens:
            break
    decode = (generated - 1) / (time.perf_counter() - first)
    return {
        "model": Path(args.model).name,
        "model_bytes": Path(args.model).stat().st_size,
        "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload()),
        "gpu_layers": args.gpu_layers,
        "prompt_tokens": args.prompt_tokens,
        "first_token_s": [round(t, 4) for t in ttft],
        "first_token_s_median": round(statistics.median(ttft), 4),
        "prompt_tokens_per_s": round(args.prompt_tokens / statistics.median(ttft), 1),
        "decode_tokens": generated - 1,
        "decode_tokens_per_s": round(decode, 1),
        "started_after_s": round(first - started, 3),
    }


def _post(url: str, body: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def _wait_healthy(url: str, seconds: float = 900) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not become healthy")


def parallel(args: argparse.Namespace) -> dict[str, Any]:
    _wait_healthy(args.url)
    text = TEXT.read_text("utf-8")[:600]  # about 300 tokens: fits a slot (gpu_bench.sh)
    results: list[dict[str, Any]] = [{} for _ in range(args.slots)]

    def one(i: int) -> None:
        body = {
            "prompt": f"[{i}] {text}\n요약:",
            "n_predict": args.tokens,
            "ignore_eos": True,
            "temperature": 0.0,
            "cache_prompt": False,
        }
        results[i] = _post(f"{args.url}/completion", body)

    _post(f"{args.url}/completion", {"prompt": "안녕", "n_predict": 4})  # warm-up
    threads = [threading.Thread(target=one, args=(i,)) for i in range(args.slots)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    timings = [r.get("timings", {}) for r in results]
    generated = sum(int(t.get("predicted_n", 0)) for t in timings)
    return {
        "slots": args.slots,
        "tokens_per_request": args.tokens,
        "generated": generated,
        "wall_s": round(wall, 2),
        "aggregate_tokens_per_s": round(generated / wall, 1),
        "per_request_decode_tokens_per_s": [
            round(float(t.get("predicted_per_second", 0)), 1) for t in timings
        ],
        "prompt_tokens_each": [int(t.get("prompt_n", 0)) for t in timings],
    }


def summary(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(args.dir)
    gpu = _gpu_name()
    bandwidth = _bandwidth(gpu)
    models: dict[str, Any] = {}
    for path in sorted(folder.glob("inprocess-*.json")):
        name = path.stem.removeprefix("inprocess-")
        single = json.loads(path.read_text())
        par_path = folder / f"parallel-{name}.json"
        par = json.loads(par_path.read_text()) if par_path.exists() else None
        bound = bandwidth * 1e9 / single["model_bytes"] if bandwidth else None
        models[name] = {
            "first_token_s_2k": single["first_token_s_median"],
            "first_token_goal_met": single["first_token_s_median"] < 0.3,
            "decode_tokens_per_s": single["decode_tokens_per_s"],
            "bandwidth_bound_tokens_per_s": round(bound, 1) if bound else None,
            "share_of_bound": round(single["decode_tokens_per_s"] / bound, 3) if bound else None,
            "aggregate_tokens_per_s": par["aggregate_tokens_per_s"] if par else None,
            "slots": par["slots"] if par else None,
            "gpu_offload": single["gpu_offload"],
        }
    build = (
        json.loads((folder / "build.json").read_text()) if (folder / "build.json").exists() else {}
    )
    return {
        "gpu": gpu,
        "bandwidth_gbs": bandwidth,
        "build": build,
        "models": models,
        "goals": "first token < 0.3 s for 2k tokens; decode >= 50% of the bandwidth bound",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("inprocess")
    one.add_argument("--model", required=True)
    one.add_argument("--gpu-layers", type=int, default=999)
    one.add_argument("--prompt-tokens", type=int, default=2048)
    one.add_argument("--decode-tokens", type=int, default=256)
    many = sub.add_parser("parallel")
    many.add_argument("--url", required=True)
    many.add_argument("--slots", type=int, default=16)
    many.add_argument("--tokens", type=int, default=256)
    total = sub.add_parser("summary")
    total.add_argument("--dir", required=True)
    for command in (one, many, total):
        command.add_argument("--out", required=True)
    args = parser.parse_args()
    result = {"inprocess": inprocess, "parallel": parallel, "summary": summary}[args.command](args)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
