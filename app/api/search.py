"""POST /v1/search: the passages a question retrieves, under the caller's filter."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import CallerDep, ServicesDep
from app.api.scope import caller_filter, checked_question
from app.prompt import Passage
from app.schemas import SearchRequest, SearchResponse, passage_out
from retrieval.store.base import Hit

router = APIRouter(tags=["search"])


def _score(hit: Hit, rank: int, mode: str, restricted: bool) -> float:
    """A restricted caller gets rank-based scores for sparse and hybrid results: raw BM25
    scores carry the collection-wide IDF, which counts chunks the caller may not read."""
    if restricted and mode != "dense":
        return round(1.0 / rank, 6)
    return hit.score


@router.post("/v1/search", response_model=SearchResponse)
def search(request: SearchRequest, caller: CallerDep, services: ServicesDep) -> SearchResponse:
    search_filter = caller_filter(caller, request)
    question = checked_question(services, request, search_filter)
    result = services.searcher.search(
        question, search_filter, limit=request.top_k, mode=request.mode
    )
    restricted = search_filter.acl_groups is not None
    passages = [
        passage_out(
            Passage(n, hit.id, str(hit.payload.get("text", "")), hit.payload),
            _score(hit, n, request.mode, restricted),
        )
        for n, hit in enumerate(result.hits, 1)
    ]
    services.audit.record(
        caller,
        "search",
        question=question,
        knowledge_base=request.knowledge_base,
        mode=request.mode,
        retrieved=sorted({str(h.payload.get("document_id", "")) for h in result.hits}),
    )
    return SearchResponse(results=passages)
