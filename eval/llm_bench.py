"""LLM serving figures: prompt processing and generation speed, time to first token, and what
reusing the KV-cached system prompt saves (README "LLM speed"; run it alone on the machine).

Each case sends the product's real answer prompt (system prompt + numbered passages from a
sample document + a question) through `LLM.stream`, as the answer path does. "cold" evaluates
the whole prompt (the cache holds an unrelated prompt); "warm" asks a second question over the
same passages, so llama.cpp reuses the common prefix (system prompt and passages) from its KV
cache and only the question is new. "judge_call_s" times the consistency check's verification
call for one sentence: against a passage not yet in the cache, then another sentence against
the same passage.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from app.llm import LLM, Message
from app.prompt import Passage, build_messages, judge_messages
from eval.datasets import SAMPLES
from eval.speed_bench import machine
from ingest.index import file_chunks
from ingest.settings import IngestSettings
from retrieval.embedding import Embedder

QUESTIONS = ("신입사원은 첫해에 연차를 며칠 받나요?", "병가는 연간 며칠까지 유급인가요?")
UNRELATED: list[Message] = [{"role": "user", "content": "Say hello in one word."}]


def _timed(llm: LLM, messages: list[Message], max_tokens: int) -> dict[str, float]:
    started = time.perf_counter()
    first: float | None = None
    pieces = []
    for piece in llm.stream(messages, max_tokens):
        first = first if first is not None else time.perf_counter() - started
        pieces.append(piece)
    total = time.perf_counter() - started
    prompt_tokens = sum(llm.count_tokens(m["content"]) for m in messages)
    generated = max(1, llm.count_tokens("".join(pieces)))
    ttft = first if first is not None else total
    return {
        "prompt_tokens": prompt_tokens,
        "generated_tokens": generated,
        "first_token_s": round(ttft, 2),
        "prompt_tokens_per_s": round(prompt_tokens / ttft, 1),
        "generation_tokens_per_s": round((generated - 1) / max(1e-6, total - ttft), 1),
        "total_s": round(total, 2),
    }


def run(llm: LLM, embedder: Embedder, out_dir: Path, max_tokens: int = 96) -> dict[str, Any]:
    chunks = file_chunks(
        SAMPLES / "docs" / "인사_휴가규정.pdf", embedder.count_tokens, IngestSettings()
    )
    passages = [
        Passage(i, f"c{i}", c.text, {"title": "인사_휴가규정"}) for i, c in enumerate(chunks[:4], 1)
    ]
    _timed(llm, UNRELATED, 4)  # load and warm up; leaves an unrelated prompt in the cache
    cold = _timed(llm, build_messages(QUESTIONS[0], passages), max_tokens)
    warm = _timed(llm, build_messages(QUESTIONS[1], passages), max_tokens)
    judge_s = []
    for sentence in (
        "신입사원은 첫해에 최대 11일의 연차를 받는다.",
        "병가는 연 12일까지 유급이다.",
    ):
        started = time.perf_counter()
        llm.yes_probability(judge_messages(passages[0].text, sentence))
        judge_s.append(round(time.perf_counter() - started, 2))
    report = {
        "machine": machine(),
        "llm": llm.name,
        "accelerated": llm.accelerated,
        "cold_prompt": cold,
        "warm_prefix": warm,
        "first_token_speedup_from_cache": round(cold["first_token_s"] / warm["first_token_s"], 1),
        "judge_call_s": {"new_passage": judge_s[0], "same_passage": judge_s[1]},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "llm.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report
