"""POST /v1/ask and /v1/ask/stream: a checked, cited answer; turns kept in the caller's session."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from app.answer import AnswerResult
from app.api.deps import CallerDep, ServicesDep
from app.api.errors import BUSY_MESSAGE, ApiError, busy
from app.api.scope import caller_filter, checked_question
from app.conversation import Turn
from app.identity import Caller
from app.llm import LLMBusy
from app.observability import record_answer
from app.schemas import AskRequest, AskResponse, ask_response
from app.services import Services

router = APIRouter(tags=["ask"])


def unknown_session() -> ApiError:
    return ApiError(404, "unknown_session", "대화 기록이 없습니다 (없거나 다른 사용자의 세션).")


def _session(services: Services, caller: Caller, requested: str | None) -> str:
    """The caller's own session named in the request, or a new one (server-generated id)."""
    if requested is None:
        return services.conversations.start(caller.subject)
    if not services.conversations.owns(requested, caller.subject):
        raise unknown_session()
    return requested


def _audit_answer(
    services: Services, caller: Caller, request: AskRequest, item: AnswerResult
) -> None:
    services.audit.record(
        caller,
        "ask",
        question=request.question,
        answered=item.question,
        knowledge_base=request.knowledge_base,
        refused=item.refused,
        retrieved=sorted({str(p.payload.get("document_id", "")) for p in item.passages}),
        cited=sorted({c.document_id for c in item.citations}),
    )


def run_answer(
    services: Services,
    caller: Caller,
    request: AskRequest,
    conversation: Sequence[tuple[str, str]] | None = None,
) -> tuple[str | None, Iterator[str | AnswerResult]]:
    """Checks the request (errors raise before anything is generated), then the session id
    and the answer's pieces; the finished answer is stored in the session, measured and
    audited. With `conversation` (earlier (question, answer) turns the client holds, as in
    the OpenAI API) no session is kept: the client sends the conversation each time."""
    search_filter = caller_filter(caller, request)
    checked_question(services, request, search_filter)
    session: str | None = None
    if conversation is None:
        session = _session(services, caller, request.session_id)
        turns = services.conversations.turns(session, caller.subject) or []
        conversation = [(turn.question, turn.answer) for turn in turns]
    history = list(conversation)

    def remembered() -> Iterator[str | AnswerResult]:
        for item in services.answerer.stream(request.question, search_filter, history):
            if isinstance(item, AnswerResult):
                if session is not None:
                    served = {"asked": request.question, **ask_response(item, session).model_dump()}
                    services.conversations.add(session, Turn(item.question, item.answer, served))
                drafted = services.llm.count_tokens(item.draft) if item.draft else 0
                record_answer(item, drafted)
                _audit_answer(services, caller, request, item)
            yield item

    return session, remembered()


def final_answer(stream: Iterator[str | AnswerResult]) -> AnswerResult:
    """The finished answer at the end of the pieces; a full queue is 503 busy."""
    final: Any = None
    try:
        for item in stream:
            final = item
    except LLMBusy as error:
        raise busy() from error
    assert isinstance(final, AnswerResult)
    return final


@router.post("/v1/ask", response_model=AskResponse)
def ask(request: AskRequest, caller: CallerDep, services: ServicesDep) -> AskResponse:
    session, stream = run_answer(services, caller, request)
    return ask_response(final_answer(stream), session)


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/v1/ask/stream")
def ask_stream(request: AskRequest, caller: CallerDep, services: ServicesDep) -> StreamingResponse:
    """`token` events carry the model's draft as it is written; the one `answer` event
    carries the checked answer, which replaces the draft (markers corrected, a refused
    draft replaced by the refusal). With the withhold policy no draft is sent, since it
    may hold the sentences the check withholds. A full queue is a 503 before any event."""
    session, stream = run_answer(services, caller, request)
    try:
        first = next(stream)  # the model's first piece: the queue has admitted us
    except LLMBusy as error:
        raise busy() from error
    drafts = services.answerer.settings.unsupported_policy != "withhold"

    def events() -> Iterator[str]:
        try:
            for item in itertools.chain([first], stream):
                if isinstance(item, AnswerResult):
                    yield _event("answer", ask_response(item, session).model_dump())
                elif drafts:
                    yield _event("token", item)
        except LLMBusy:  # the check's judge call timed out behind other requests
            yield _event("error", {"code": "busy", "message": BUSY_MESSAGE})

    return StreamingResponse(events(), media_type="text/event-stream")
