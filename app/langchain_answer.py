"""The answer pipeline as a LangChain Runnable, for internal apps that compose chains.

`AnswerRunnable(answerer, search_filter).invoke("질문")` returns the checked, cited answer as
`/v1/ask` serves it (an AskResponse); the input may also be `{"question", "history"}` with
history as (question, answer) pairs for a follow-up. Permissions travel in the filter: build
one per caller (`caller.search_filter()`), as for the retriever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import run_in_executor

from app.answer import Answerer
from app.schemas import AskResponse, ask_response
from retrieval.store.base import SearchFilter

AnswerInput = str | Mapping[str, Any]


class AnswerRunnable(Runnable[AnswerInput, AskResponse]):
    def __init__(self, answerer: Answerer, search_filter: SearchFilter) -> None:
        self.answerer = answerer
        self.search_filter = search_filter

    def invoke(
        self, input: AnswerInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AskResponse:
        question, history = _question(input)
        return self._call_with_config(
            lambda _: ask_response(self.answerer.answer(question, self.search_filter, history)),
            input,
            config,
            run_type="chain",
        )

    async def ainvoke(
        self, input: AnswerInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AskResponse:
        return await run_in_executor(config, self.invoke, input, config)


def _question(input: AnswerInput) -> tuple[str, Sequence[tuple[str, str]]]:
    if isinstance(input, str):
        return input, ()
    history = [(str(q), str(a)) for q, a in input.get("history") or ()]
    return str(input["question"]), history
