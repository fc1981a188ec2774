"""The hybrid searcher as a LangChain retriever, for internal apps that build their own chains.

Permissions travel in the filter: construct one retriever per caller with that caller's groups
(`HybridRetriever(searcher=…, search_filter=caller.search_filter())`). It passes LangChain's
standard retriever suite (tests/test_langchain_standard.py).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.search import HybridSearcher, Mode
from retrieval.store.base import SearchFilter


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    search_filter: SearchFilter | None = None
    k: int = 6
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        mode: Mode | None = None,
    ) -> list[Document]:
        """`k` and `mode` given to `invoke(query, k=3)` override the retriever's own."""
        result = self.searcher.search(
            query, self.search_filter, limit=k or self.k, mode=mode or self.mode
        )
        return [_document(hit.id, hit.score, hit.payload) for hit in result.hits]


def _document(chunk_id: str, score: float, payload: dict[str, Any]) -> Document:
    metadata = {key: value for key, value in payload.items() if key != "text"}
    metadata.update(chunk_id=chunk_id, score=score)
    return Document(page_content=str(payload.get("text", "")), metadata=metadata, id=chunk_id)
