"""Dify's External Knowledge API: POST /retrieval, so Dify (and platforms that speak the same
protocol) retrieve with our Korean hybrid search under our access control.

Register `http(s)://<host>:8000` as the endpoint in Dify (it appends /retrieval) with an API key
of ours; the external knowledge ID is a knowledge base name, or ALL_MODEL for every knowledge
base the key may read. Results are in hybrid (dense + Kiwi BM25) order; `score` is the cosine
similarity of the question and the chunk under the embedding model, per chunk, so it never
carries the collection-wide BM25 statistics of documents the key may not read, and Dify's
`score_threshold` (0–1) applies to it. `metadata_condition` is applied to the records'
metadata after retrieval, over up to MAX_CANDIDATES hits. Errors use Dify's shape,
`{"error_code", "error_msg"}`: 1001 malformed or missing Authorization header, 1002 key
refused (both 403), 2001 unknown knowledge base (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import ServicesDep, current_caller
from app.api.errors import ApiError
from app.api.openai_compat import ALL_MODEL
from app.identity import Caller, valid_knowledge_base
from app.prompt import Passage
from app.services import Services
from retrieval.store.base import Hit, SearchFilter

router = APIRouter(tags=["dify"])

MAX_CANDIDATES = 50
"""Hits read when a metadata condition filters them after retrieval."""


class DifyError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class DifyErrorBody(BaseModel):
    error_code: int = Field(
        description="1001 bad Authorization header, 1002 key refused, 2001 unknown knowledge"
    )
    error_msg: str


def _dify_documented(status: int, code: int, message: str) -> dict[str, Any]:
    example = {"error_code": code, "error_msg": message}
    return {"model": DifyErrorBody, "content": {"application/json": {"example": example}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: _dify_documented(403, 1002, "API 키가 올바르지 않거나 폐기되었습니다."),
    404: _dify_documented(404, 2001, "알 수 없는 지식베이스입니다: 인사"),
}
"""Dify's error shape, documented for /retrieval instead of ours."""


def _dify_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DifyError)
    body = {"error_code": error.code, "error_msg": error.message}
    return JSONResponse(body, status_code=error.status)


def install_error_handler(api: FastAPI) -> None:
    api.add_exception_handler(DifyError, _dify_error)


def dify_caller(request: Request, services: ServicesDep) -> Caller:
    """The caller, as for /v1 routes; refusals in Dify's codes."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise DifyError(403, 1001, "Authorization 헤더는 'Bearer <API 키>' 형식이어야 합니다.")
    try:
        return current_caller(request, services)
    except ApiError as error:
        if error.status != 401:
            raise
        code = 1001 if header is None else 1002
        raise DifyError(403, code, error.message) from error


DifyCallerDep = Annotated[Caller, Depends(dify_caller)]

Operator = Literal[
    "contains",
    "not contains",
    "start with",
    "end with",
    "is",
    "is not",
    "in",
    "not in",
    "empty",
    "not empty",
    "=",
    "≠",
    ">",
    "<",
    "≥",
    "≤",
    "before",
    "after",
]


class Condition(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: list[str] | str = Field(description="Metadata field name(s); any of them may match.")
    comparison_operator: Operator
    value: str | float | list[str] | None = None

    def names(self) -> list[str]:
        return [self.name] if isinstance(self.name, str) else list(self.name)


class MetadataCondition(BaseModel):
    model_config = ConfigDict(extra="allow")
    logical_operator: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(max_length=20)


class RetrievalSetting(BaseModel):
    model_config = ConfigDict(extra="allow")
    top_k: int = Field(ge=1, le=MAX_CANDIDATES)
    score_threshold: float = Field(default=0.0, ge=0.0, le=1.0)


class RetrievalRequest(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "knowledge_id": "samples",
                    "query": "출장 숙박비 상한은 얼마인가요?",
                    "retrieval_setting": {"top_k": 3, "score_threshold": 0.5},
                }
            ]
        },
    )
    knowledge_id: str = Field(max_length=100)
    query: str = Field(max_length=2000)
    retrieval_setting: RetrievalSetting
    metadata_condition: MetadataCondition | None = None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()


def _compare(field: Any, op: str, value: Any) -> bool:
    """One Dify comparison on one metadata value (lists: any element)."""
    if isinstance(field, list):
        if op in ("empty", "not empty"):
            return (op == "empty") == (not field)
        hits = [_compare(item, op, value) for item in field]
        return all(hits) if op in ("not contains", "is not", "not in", "≠") else any(hits)
    text = "" if field is None else str(field)
    if op == "empty":
        return not text
    if op == "not empty":
        return bool(text)
    wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    strings = {
        "contains": lambda: wanted[0] in text,
        "not contains": lambda: wanted[0] not in text,
        "start with": lambda: text.startswith(wanted[0]),
        "end with": lambda: text.endswith(wanted[0]),
        "is": lambda: text == wanted[0],
        "is not": lambda: text != wanted[0],
        "in": lambda: text in wanted,
        "not in": lambda: text not in wanted,
    }
    if op in strings:
        return strings[op]()
    if op in ("before", "after"):
        left, right = _moment(field), _moment(wanted[0])
        if left is None or right is None:
            return False
        return left < right if op == "before" else left > right
    a, b = _number(field), _number(wanted[0])
    if a is None or b is None:
        return False
    return {"=": a == b, "≠": a != b, ">": a > b, "<": a < b, "≥": a >= b, "≤": a <= b}[op]


def matches(metadata: dict[str, Any], condition: MetadataCondition | None) -> bool:
    """Whether a record's metadata meets Dify's metadata_condition (a missing field: no)."""
    if condition is None or not condition.conditions:
        return True
    results = [
        any(
            name in metadata and _compare(metadata[name], c.comparison_operator, c.value)
            for name in c.names()
        )
        for c in condition.conditions
    ]
    return all(results) if condition.logical_operator == "and" else any(results)


def _metadata(hit: Hit) -> dict[str, Any]:
    p = hit.payload
    return {
        "document_id": p.get("document_id"),
        "chunk_id": hit.id,
        "knowledge_base": p.get("knowledge_base"),
        "file_name": p.get("file_name"),
        "file_type": p.get("file_type"),
        "source_uri": p.get("source_uri"),
        "section": p.get("section") or "",
        "page": p.get("page"),
        "place": Passage(0, hit.id, "", p).place,
        "modified_at": p.get("modified_at"),
        "groups": list(p.get("acl_groups") or []),
    }


def cosines(services: Services, query: str, hits: list[Hit]) -> dict[str, float]:
    """Cosine of the question and each hit's stored dense vector (read back, not re-embedded)."""
    wanted = {h.id for h in hits}
    question = np.asarray(services.embedder.embed_query(query), dtype=np.float32)
    question /= np.linalg.norm(question) or 1.0
    out: dict[str, float] = {}
    for doc_id in dict.fromkeys(str(h.payload.get("document_id")) for h in hits):
        for record in services.store.document_records(doc_id):
            if record.id in wanted:
                vector = np.asarray(record.dense, dtype=np.float32)
                out[record.id] = float(question @ vector / (np.linalg.norm(vector) or 1.0))
    return out


def _search_filter(services: Services, caller: Caller, knowledge_id: str) -> SearchFilter:
    """The caller's filter on the named knowledge base; 2001 when it holds nothing the caller
    may read (the same as one that does not exist)."""
    knowledge_base = None if knowledge_id == ALL_MODEL else knowledge_id
    unknown = DifyError(404, 2001, f"알 수 없는 지식베이스입니다: {knowledge_id}")
    if knowledge_base is not None and not valid_knowledge_base(knowledge_base):
        raise unknown
    search_filter = caller.search_filter(knowledge_base)
    if knowledge_base is not None and services.store.count(search_filter) == 0:
        raise unknown
    return search_filter


def _query(services: Services, raw: str) -> str:
    """The stripped query, bounded like a question (the LLM is not needed, nor loaded)."""
    query, limit = raw.strip(), services.app.max_question_chars
    if not query or len(query) > limit:
        raise ApiError(422, "invalid_question", f"검색어는 1~{limit:,}자여야 합니다.")
    return query


@router.post("/retrieval")
def retrieval(
    body: RetrievalRequest, caller: DifyCallerDep, services: ServicesDep
) -> dict[str, Any]:
    """Dify's retrieval call: `{records[{content, score, title, metadata}]}`, best first."""
    search_filter = _search_filter(services, caller, body.knowledge_id)
    setting, condition = body.retrieval_setting, body.metadata_condition
    query = _query(services, body.query)
    wanted = MAX_CANDIDATES if condition and condition.conditions else setting.top_k
    hits = services.searcher.search(query, search_filter, limit=wanted).hits
    scores = cosines(services, query, hits)
    records: list[dict[str, Any]] = []
    for hit in hits:
        score, metadata = scores.get(hit.id, 0.0), _metadata(hit)
        if score < setting.score_threshold or not matches(metadata, condition):
            continue
        title = str(hit.payload.get("title") or hit.payload.get("file_name") or "")
        records.append(
            {
                "content": str(hit.payload.get("text", "")),
                "score": round(score, 6),
                "title": title,
                "metadata": metadata,
            }
        )
    records = records[: setting.top_k]
    services.audit.record(
        caller,
        "search",
        question=query,
        knowledge_base=search_filter.knowledge_bases,
        mode="dify",
        retrieved=sorted({str(h.payload.get("document_id")) for h in hits}),
    )
    return {"records": records}
