"""LangChain's own standard retriever suite (langchain-tests) against our hybrid retriever over
the samples index, and the answer pipeline as a Runnable."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests
from live_server import with_small_llm

from app.answer import InvalidQuestion
from app.identity import Caller
from app.langchain_answer import AnswerRunnable
from app.services import Services
from retrieval.langchain_retriever import HybridRetriever
from retrieval.search import HybridSearcher

READER = Caller("reader", "reader", ("hr",), subject="key:test")


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    searcher: HybridSearcher

    @pytest.fixture(autouse=True)
    def _searcher(self, services: Services) -> None:
        type(self).searcher = services.searcher

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"searcher": self.searcher, "search_filter": READER.search_filter()}

    @property
    def retriever_query_example(self) -> str:
        return "신입사원 연차는 며칠인가요?"


def test_invoke_k_and_mode_override_the_retrievers_own(services: Services) -> None:
    retriever = HybridRetriever(searcher=services.searcher, k=6)
    dense = retriever.invoke("출장 숙박비", k=2, mode="dense")
    assert len(dense) == 2
    expected = services.searcher.search("출장 숙박비", None, limit=2, mode="dense").hits
    assert [d.id for d in dense] == [h.id for h in expected]
    assert len(retriever.invoke("출장 숙박비")) == 6


def test_answer_pipeline_is_a_runnable(services: Services) -> None:
    """One real answer (the 0.5B LLM runs): the Runnable returns what /v1/ask serves."""
    chain = AnswerRunnable(with_small_llm(services).answerer, READER.search_filter())
    result = chain.invoke("신입사원 연차는 며칠인가요?")
    assert result.question and result.answer and result.consistency.sentences
    assert result.refused or result.citations
    assert {c.chunk_id for c in result.citations} <= {p.chunk_id for p in result.passages}
    with pytest.raises(InvalidQuestion):  # checked before any model call
        chain.invoke({"question": "   ", "history": []})
