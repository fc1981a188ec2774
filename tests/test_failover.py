"""Scale-out: the API over two real llama-cpp-python servers (the 0.5B offline GGUF), load
spread between them, and a server killed mid-answer: the request is finished on the other one,
the stream resumes after the text already sent, and no caller sees a 5xx."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from live_server import SMALL_LLM, free_port, serving, start_llama_server, wait_until_ready

from app.api import create_app
from app.llm import OFFLINE_LLMS, OpenAICompatibleLLM
from app.services import Services
from app.settings import AppSettings

QUESTION = {"question": "신입사원 연차는 며칠인가요?", "knowledge_base": "samples"}


@pytest.fixture(scope="module")
def llm_servers(
    models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    logs = tmp_path_factory.mktemp("llama-servers")
    model = models_dir / OFFLINE_LLMS[SMALL_LLM].name
    started = [start_llama_server(model, logs / f"server{i}.log", 2048, 1) for i in range(2)]
    try:
        for i, (url, process) in enumerate(started):
            wait_until_ready(url, process, logs / f"server{i}.log")
        yield dict(started)
    finally:
        for _, process in started:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def api_url(
    services: Services,
    llm_servers: dict[str, subprocess.Popen[bytes]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Services]]:
    """The real API (uvicorn on a port: the stream must arrive while it is written) over the
    session's samples store and embedder, with the two servers as its LLM."""
    database = tmp_path_factory.mktemp("failover-db") / "kdocqa.db"
    app_settings = AppSettings(
        llm_base_url=",".join(llm_servers),
        llm_remote_model=SMALL_LLM,
        llm_max_tokens=40,
        llm_context=2048,
        context_tokens=700,
        retrieve_k=2,
        consistency_judge="off",  # one generation per question keeps this short on 2 cores
        llm_retry_cooldown_s=600,
        database_url=f"sqlite:///{database}",
    )
    remote = Services(retrieval=services.retrieval, app=app_settings, ingest=services.ingest)
    for name in ("store", "embedder"):  # the session's, read-only; never closed here
        remote.__dict__[name] = getattr(services, name)
    try:
        with serving(create_app(remote)) as url:
            yield url, remote
    finally:
        remote.database.close()


def _generations(llm: OpenAICompatibleLLM) -> dict[str, int]:
    return {backend.url: backend.generations for backend in llm.backends}


def _stream(url: str, on_first_token: object = None) -> tuple[int, str, dict[str, object]]:
    """POST /v1/ask/stream: (status, the streamed draft, the final answer event)."""
    draft, answer = "", {}
    with httpx.stream("POST", f"{url}/v1/ask/stream", json=QUESTION, timeout=600) as response:
        event = ""
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:])
                if event == "token":
                    if not draft and callable(on_first_token):
                        on_first_token()
                    draft += data
                elif event == "answer":
                    answer = data
        return response.status_code, draft, answer


def test_load_is_spread_and_a_killed_server_fails_over(
    api_url: tuple[str, Services], llm_servers: dict[str, subprocess.Popen[bytes]]
) -> None:
    url, remote = api_url
    llm = remote.llm
    assert isinstance(llm, OpenAICompatibleLLM)

    # Two questions at once: one on each server (fewest requests in flight wins).
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda _: _stream(url), range(2)))
    assert [status for status, _, _ in both] == [200, 200]
    # (an answer may take a second generation: a claim in another language is translated)
    assert all(count >= 1 for count in _generations(llm).values()), _generations(llm)
    reference = both[0][1]
    assert reference and both[1][1] == reference  # greedy: the same draft on either server
    assert all(answer.get("answer") for _, _, answer in both)

    # A server killed once the first tokens have reached the caller: the answer is finished
    # on the other server, resumed after the text already sent.
    killed: list[str] = []

    def kill_the_busy_one() -> None:
        busy = [b.url for b in llm.backends if b.streaming]
        assert len(busy) == 1, busy
        llm_servers[busy[0]].kill()
        llm_servers[busy[0]].wait(timeout=30)
        killed.append(busy[0])

    before = _generations(llm)
    status, draft, answer = _stream(url, kill_the_busy_one)
    assert status == 200 and killed
    assert answer.get("answer"), answer
    assert draft == reference  # nothing repeated, nothing lost
    survivor = next(u for u in llm_servers if u not in killed)
    after_kill = _generations(llm)
    assert after_kill[survivor] > before[survivor] and after_kill[killed[0]] == before[killed[0]]

    # The next question goes straight to the survivor: still no 5xx.
    response = httpx.post(f"{url}/v1/ask", json=QUESTION, timeout=600)
    assert response.status_code == 200, response.text
    assert _generations(llm)[survivor] > after_kill[survivor]


def test_a_resumed_stream_continues_after_the_text_sent_or_stops_where_it_differs() -> None:
    from app.llm import _Diverged, _resumed

    sent = "연차는 15"
    assert "".join(_resumed(sent, iter(["연차", "는 1", "5일", "입니다."]))) == "일입니다."
    assert "".join(_resumed("", iter(["a", "b"]))) == "ab"
    with pytest.raises(_Diverged):
        list(_resumed(sent, iter(["연차는 ", "20일"])))
    with pytest.raises(_Diverged):
        list(_resumed(sent, iter(["연차"])))  # the new answer ended before the sent text


def test_unreachable_servers_fail_over_until_none_is_left() -> None:
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    llm = OpenAICompatibleLLM(AppSettings(llm_base_url=",".join(dead), llm_timeout_s=5))
    with pytest.raises(httpx.ConnectError):
        list(llm.stream([{"role": "user", "content": "안녕"}], 4))
    assert all(b.failed_at > 0 for b in llm.backends)  # both were tried
    assert all(b.in_flight == 0 for b in llm.backends)
