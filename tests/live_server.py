"""Real servers on free loopback ports for the tests: the API under uvicorn (for clients that
open their own connections — the official `openai` package, LangChain's ChatOpenAI, the UI)
and llama-cpp-python's OpenAI-compatible server (the remote LLM backends)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from app.services import Services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app served in a thread; yields its base URL ("http://127.0.0.1:PORT")."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


SMALL_LLM = "qwen2.5-coder-0.5b"


def start_llama_server(
    model: Path, log: Path, context: int, threads: int | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """`python -m llama_cpp.server` serving `model` as SMALL_LLM; returns its URL and process
    (wait with `wait_until_ready`). llama.cpp logs the whole model header, so its output goes
    to `log`: a pipe would fill up and block the server."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--model_alias", SMALL_LLM, "--n_ctx", str(context)]
    command += ["--n_threads", str(threads)] if threads else []
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return f"http://127.0.0.1:{port}", process


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(480):
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-2000:])
        try:
            if httpx.get(f"{url}/v1/models", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise TimeoutError("llama-cpp-python server did not start")


def with_small_llm(services: Services) -> Services:
    """The session's samples store, embedder and database, answered by the 0.5B model (about
    three times faster on these CPUs than the 1.5B default). Never closed: `services` owns
    what it shares."""
    app = services.app.model_copy(update={"llm_model": SMALL_LLM, "llm_max_tokens": 96})
    copy = Services(retrieval=services.retrieval, app=app, ingest=services.ingest)
    for name in ("store", "embedder", "database"):
        copy.__dict__[name] = getattr(services, name)
    return copy
