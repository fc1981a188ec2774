"""POST /v1/check: check an answer another app already has, as /v1/ask checks its own."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import CallerDep, ServicesDep
from app.api.errors import ApiError, busy
from app.llm import LLMBusy
from app.schemas import CheckRequest, ConsistencyOut, consistency_out

router = APIRouter(tags=["check"])


@router.post("/v1/check", response_model=ConsistencyOut)
def check(request: CheckRequest, caller: CallerDep, services: ServicesDep) -> ConsistencyOut:
    """The same object as `consistency` in /v1/ask, with the shipped checker and defaults. The
    passages are the caller's own, so the index is not consulted: a question word none of them
    holds counts as out of scope."""
    if not request.answer.strip():
        raise ApiError(422, "invalid_answer", "확인할 답변이 비어 있습니다.")
    try:
        result, decision = services.answerer.check_answer(
            request.question, request.answer, request.as_passages()
        )
    except LLMBusy as error:  # a claim in another language is translated by the LLM
        raise busy() from error
    services.audit.record(caller, "check", question=request.question)
    return consistency_out(result, decision)
