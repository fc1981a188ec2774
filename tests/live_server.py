"""A real uvicorn server on a free loopback port, for clients that open their own connections
(the official `openai` package, LangChain's ChatOpenAI)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from app.services import Services


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app served in a thread; yields its base URL ("http://127.0.0.1:PORT")."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
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
_SMALL: dict[int, Services] = {}


def with_small_llm(services: Services) -> Services:
    """The session's samples store, embedder and database, answered by the 0.5B model (about
    three times faster on these CPUs than the 1.5B default). Never closed: `services` owns
    what it shares."""
    app = services.app.model_copy(update={"llm_model": SMALL_LLM, "llm_max_tokens": 96})
    copy = Services(retrieval=services.retrieval, app=app, ingest=services.ingest)
    for name in ("store", "embedder", "database"):
        copy.__dict__[name] = getattr(services, name)
    _SMALL[id(services)] = copy
    return copy
