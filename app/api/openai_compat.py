"""The OpenAI chat API over the answer pipeline: POST /v1/chat/completions, GET /v1/models.

A knowledge base is a model id, and ALL_MODEL reads every knowledge base the caller may read.
The last user message is the question; the earlier user/assistant pairs are the conversation
a follow-up is rewritten from (the client holds it, so no session is kept). System messages
are not passed to the model: the answer prompt is the product's, so a client cannot turn the
citation and grounding rules off. Sampling fields (temperature, max_tokens, …) are accepted
and ignored. `citations`, `consistency` and `refused` travel as extra top-level fields of the
response and of the stream's last content chunk; OpenAI's clients keep unknown fields.

Streaming sends the checked answer, not the model's draft: an OpenAI client concatenates
deltas and cannot take a draft back when the check refuses it or corrects its markers. The
role chunk goes out as soon as the model has the request, SSE comments keep the connection
alive while it writes, then the checked answer comes in pieces and `[DONE]`.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from app.answer import AnswerResult
from app.api.ask import final_answer, run_answer
from app.api.deps import CallerDep, ServicesDep
from app.api.errors import BUSY_MESSAGE, ApiError, busy
from app.identity import Caller, valid_knowledge_base
from app.inventory import knowledge_bases
from app.llm import LLMBusy
from app.schemas import AskRequest, Text, ask_response
from app.services import Services

router = APIRouter(tags=["openai"])

ALL_MODEL = "kdocqa/all"
"""The model id for every readable knowledge base ('/' is never in a knowledge-base name)."""
KEEPALIVE_EVERY = 16
"""Draft pieces between two SSE keep-alive comments while the model writes."""


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(max_length=40)
    text: Text | None = Field(default=None, max_length=20_000)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Text | list[ContentPart] | None = Field(default=None, max_length=20_000)

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request body; fields this service does not use are accepted and ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "samples",
                    "messages": [{"role": "user", "content": "신입사원 연차는 며칠인가요?"}],
                    "stream": False,
                }
            ]
        },
    )
    model: str = Field(max_length=100, description=f"A knowledge base, or '{ALL_MODEL}'.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, description="Only one choice is generated.")


def model_not_found(model: str) -> ApiError:
    return ApiError(404, "model_not_found", f"알 수 없는 모델(지식베이스)입니다: {model}")


def _knowledge_base(model: str) -> str | None:
    if model == ALL_MODEL:
        return None
    if not valid_knowledge_base(model):
        raise model_not_found(model)
    return model


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and the (question, answer) pairs before it."""
    spoken = [m for m in messages if m.role in ("user", "assistant")]
    if not spoken or spoken[-1].role != "user":
        raise ApiError(400, "invalid_messages", "마지막 메시지는 사용자(user) 질문이어야 합니다.")
    turns: list[tuple[str, str]] = []
    asked: str | None = None
    for message in spoken[:-1]:
        if message.role == "user":
            asked = message.text()
        elif asked is not None:
            turns.append((asked, message.text()))
            asked = None
    return spoken[-1].text(), turns


def _start(
    services: Services, caller: Caller, body: ChatCompletionRequest
) -> Iterator[str | AnswerResult]:
    question, turns = _conversation(body.messages)
    request = AskRequest(question=question, knowledge_base=_knowledge_base(body.model))
    try:
        _, stream = run_answer(services, caller, request, turns[-services.app.session_turns :])
    except ApiError as error:
        if error.code == "unknown_knowledge_base":
            raise model_not_found(body.model) from error
        raise
    return stream


def _usage(services: Services, result: AnswerResult) -> dict[str, int]:
    """Tokens of the question and passage units the model read, and of the answer served."""
    if not result.draft:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    prompt = result.prompt_tokens
    completion = services.llm.count_tokens(result.answer)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _extras(result: AnswerResult) -> dict[str, Any]:
    served = ask_response(result).model_dump()
    return {
        "citations": served["citations"],
        "consistency": served["consistency"],
        "refused": served["refused"],
    }


@router.post("/v1/chat/completions", response_model=None)
def chat_completions(
    body: ChatCompletionRequest, caller: CallerDep, services: ServicesDep
) -> dict[str, Any] | StreamingResponse:
    stream = _start(services, caller, body)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return _streamed(services, stream, body.model, completion_id, created, include_usage)
    result = final_answer(stream)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.answer},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(services, result),
        **_extras(result),
    }


def _data(payload: Any) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _pieces(text: str) -> list[str]:
    """The answer in word-sized pieces (whitespace kept), as a model would stream it."""
    return re.findall(r"\S+\s*|\s+", text) or [""]


def _streamed(
    services: Services,
    stream: Iterator[str | AnswerResult],
    model: str,
    completion_id: str,
    created: int,
    include_usage: bool,
) -> StreamingResponse:
    try:
        first = next(stream)  # the model has the request: a full queue is a 503 here
    except LLMBusy as error:
        raise busy() from error
    base = {"id": completion_id, "object": "chat.completion.chunk", "created": created}
    base["model"] = model

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return _data({**base, "choices": [choice], **extra})

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        result: AnswerResult | None = None
        try:
            for n, item in enumerate(itertools.chain([first], stream)):
                if isinstance(item, AnswerResult):
                    result = item
                elif n % KEEPALIVE_EVERY == 0:
                    yield ": generating\n\n"
        except LLMBusy:  # the check's judge call timed out behind other requests
            error = {"message": BUSY_MESSAGE, "type": "server_error", "code": "busy"}
            yield _data({"error": {**error, "param": None}})
            return
        assert result is not None
        for piece in _pieces(result.answer):
            yield chunk({"content": piece})
        yield chunk({}, "stop", **_extras(result))
        if include_usage:
            yield _data({**base, "choices": [], "usage": _usage(services, result)})
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


def _model(name: str, last_indexed: str) -> dict[str, Any]:
    created = int(datetime.fromisoformat(last_indexed).timestamp()) if last_indexed else 0
    return {"id": name, "object": "model", "created": created, "owned_by": "kdocqa"}


def _readable_models(services: Services, caller: Caller) -> list[dict[str, Any]]:
    found = knowledge_bases(services.store, caller.search_filter(), services.uploads_dir)
    newest = max((kb["last_indexed"] for kb in found), default="")
    return [_model(ALL_MODEL, newest), *(_model(kb["name"], kb["last_indexed"]) for kb in found)]


@router.get("/v1/models")
def list_models(caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """ALL_MODEL and one model per knowledge base holding a document the caller may read."""
    return {"object": "list", "data": _readable_models(services, caller)}


@router.get("/v1/models/{model:path}")
def get_model(model: str, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    for entry in _readable_models(services, caller):
        if entry["id"] == model:
            return entry
    raise model_not_found(model)
