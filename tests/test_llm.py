"""LLM serving with the real 0.5B offline GGUF: the bounded queue, cancellation, and the same
interface over an OpenAI-compatible server (llama-cpp-python's own, started here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import SMALL_LLM, free_port, start_llama_server, wait_until_ready

from app.llm import OFFLINE_LLMS, LlamaCppLLM, LLMBusy, OpenAICompatibleLLM, complete
from app.prompt import judge_messages
from app.settings import AppSettings

QUESTION = [
    {"role": "system", "content": "한국어로 짧게 답하세요."},
    {"role": "user", "content": "대한민국의 수도는 어디인가요?"},
]


@pytest.fixture(scope="module")
def model_path(models_dir: Path) -> Path:
    return models_dir / OFFLINE_LLMS[SMALL_LLM].name


@pytest.fixture(scope="module")
def no_queue(model_path: Path) -> LlamaCppLLM:
    """One generation at a time and nobody waiting: a second caller is refused at once."""
    settings = AppSettings(llm_queue_size=0, llm_context=1024, llm_timeout_s=5)
    return LlamaCppLLM(model_path, settings)


def test_full_queue_refuses_and_cancelling_frees_the_model(no_queue: LlamaCppLLM) -> None:
    first = no_queue.stream(QUESTION, max_tokens=64)
    assert next(first)  # generating: the model is taken
    with pytest.raises(LLMBusy):
        next(no_queue.stream(QUESTION, max_tokens=8))
    # A client that goes away closes its stream; generation stops and the model is free again.
    first.close()
    answer = complete(no_queue, QUESTION, max_tokens=16)
    assert "서울" in answer


def test_a_generation_past_its_time_limit_is_stopped(
    no_queue: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    unlimited = list(no_queue.stream(QUESTION, max_tokens=32))
    monkeypatch.setattr(no_queue, "_generation_s", 0.0)
    cut = list(no_queue.stream(QUESTION, max_tokens=32))
    assert len(cut) <= 1 < len(unlimited)
    monkeypatch.undo()
    assert complete(no_queue, QUESTION, max_tokens=16), "the model is free after the cut"


@pytest.fixture(scope="module")
def server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    url, process = start_llama_server(model_path, log, 1024)
    try:
        wait_until_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_openai_compatible_backend_streams_from_a_real_server(
    server: str, no_queue: LlamaCppLLM
) -> None:
    llm = OpenAICompatibleLLM(
        AppSettings(llm_base_url=server, llm_remote_model=SMALL_LLM, llm_timeout_s=120)
    )
    pieces = list(llm.stream(QUESTION, max_tokens=16))
    assert len(pieces) > 1  # streamed token by token, not one block
    assert "서울" in "".join(pieces)
    # Passages are packed with the server's own tokenizer, not an estimate.
    text = "연차휴가는 1년간 80퍼센트 이상 출근한 직원에게 15일을 준다. Annual leave: 15 days."
    assert llm.count_tokens(text) == no_queue.count_tokens(text)


def test_openai_compatible_backend_reports_an_unreachable_server() -> None:
    llm = OpenAICompatibleLLM(
        AppSettings(llm_base_url=f"http://127.0.0.1:{free_port()}", llm_timeout_s=5)
    )
    with pytest.raises(httpx.ConnectError):
        complete(llm, QUESTION, max_tokens=8)


ENTAILED = (
    "본사 주차장은 평일 오전 7시부터 오후 10시까지 연다.",
    "주차장은 평일 아침 7시에 문을 연다.",
)
CONTRADICTED = (
    "본사 주차장은 평일 오전 7시부터 오후 10시까지 연다.",
    "주차장은 주말에만 문을 연다.",
)


def test_judge_probability_comes_from_the_model(no_queue: LlamaCppLLM) -> None:
    supported = no_queue.yes_probability(judge_messages(*ENTAILED))
    contradicted = no_queue.yes_probability(judge_messages(*CONTRADICTED))
    assert 0.0 <= contradicted < supported <= 1.0
    # again: most of the prompt now comes from the KV cache; batch splits move the logits a little
    assert no_queue.yes_probability(judge_messages(*ENTAILED)) == pytest.approx(supported, abs=0.02)
    assert not no_queue.accelerated  # CPU build: the checker leaves the judge off by default


def test_judge_over_a_server_reads_its_logprobs(server: str, no_queue: LlamaCppLLM) -> None:
    llm = OpenAICompatibleLLM(
        AppSettings(llm_base_url=server, llm_remote_model=SMALL_LLM, llm_timeout_s=120)
    )
    supported = llm.yes_probability(judge_messages(*ENTAILED))
    contradicted = llm.yes_probability(judge_messages(*CONTRADICTED))
    assert 0.0 < contradicted < supported < 1.0  # graded, not a bare yes/no reply
    # the same model in-process gives the same verdict
    assert supported == pytest.approx(no_queue.yes_probability(judge_messages(*ENTAILED)), abs=0.02)


ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"days": {"type": "integer"}, "quote": {"type": "string"}},
    "required": ["days", "quote"],
}
LEAVE = [
    {
        "role": "user",
        "content": "자료: 연차휴가는 1년간 80% 이상 출근한 직원에게 15일을 준다.\n"
        "질문: 연차는 며칠이고, 근거 문장은? JSON으로 답하세요.",
    }
]


def test_a_schema_constrains_the_reply_in_process_and_over_a_server(
    server: str, no_queue: LlamaCppLLM
) -> None:
    """Evidence-first answers (eval/quote_eval.py) need JSON the decoder cannot leave:
    llama.cpp's grammar in process, `response_format` on a server."""
    remote = OpenAICompatibleLLM(
        AppSettings(llm_base_url=server, llm_remote_model=SMALL_LLM, llm_timeout_s=120)
    )
    for llm in (no_queue, remote):
        reply = json.loads(complete(llm, LEAVE, 60, ANSWER_SCHEMA))
        assert set(reply) == {"days", "quote"} and isinstance(reply["days"], int), reply
