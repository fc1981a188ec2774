"""The REST API's request and response bodies (also what `kdocqa ask --json` prints)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from app.answer import AnswerResult
from app.consistency import ConsistencyResult
from app.consistency.decision import AnswerDecision
from app.identity import GROUP_PATTERN, KNOWLEDGE_BASE_PATTERN
from app.prompt import Passage


def _no_lone_surrogates(text: str) -> str:
    """JSON may escape a lone surrogate ("\\ud800"), which no encoder downstream can write."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("올바른 유니코드 문자열이 아닙니다 (짝 없는 서로게이트).") from error
    return text


Text = Annotated[str, AfterValidator(_no_lone_surrogates)]
KnowledgeBase = Annotated[str, StringConstraints(pattern=KNOWLEDGE_BASE_PATTERN)]
Group = Annotated[str, StringConstraints(pattern=GROUP_PATTERN)]
SessionId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
FileType = Annotated[str, StringConstraints(pattern=r"^\.?[0-9A-Za-z]{1,10}$")]


class AskRequest(BaseModel):
    question: Text = Field(description="질문 (Korean or English).")
    knowledge_base: KnowledgeBase | None = Field(
        default=None, description="Restrict to one knowledge base."
    )
    groups: list[Group] | None = Field(
        default=None,
        max_length=100,
        description="Narrow the caller's access groups to these; they never widen them. "
        "Unset = every group of the caller.",
    )
    top_k: int | None = Field(default=None, ge=1, le=50)
    session_id: SessionId | None = Field(
        default=None,
        description="A session this caller started (the `session_id` of an earlier answer): a "
        "follow-up is made standalone from its turns. Unset = a new session. An id that is "
        "unknown or another caller's is rejected with 404.",
    )
    file_types: list[FileType] | None = Field(
        default=None,
        max_length=20,
        description='Restrict to these file types, e.g. ["pdf", "hwpx"].',
    )
    modified_from: datetime | None = Field(
        default=None, description="Only documents whose file was modified at or after this time."
    )
    modified_to: datetime | None = Field(
        default=None, description="Only documents whose file was modified before this time."
    )


class SearchRequest(AskRequest):
    mode: Literal["hybrid", "dense", "sparse"] = "hybrid"


class CitationOut(BaseModel):
    number: int
    document: str
    document_id: str
    source_uri: str
    page: int | None
    sheet: str | None = None
    place: str = Field(default="", description='"p.3", "슬라이드 2" or "시트 매출".')
    section: str
    snippet: str
    chunk_id: str
    ocr: bool = Field(default=False, description="Text read by OCR from a scan or photo.")


class SentenceOut(BaseModel):
    text: str
    label: Literal["supported", "unsupported", "no_claim"]
    score: float
    citations: list[int]
    reasons: list[str]
    signals: dict[str, float] = Field(
        default_factory=dict, description="overlap, similarity and (when on) judge, each in [0, 1]"
    )


class DecisionOut(BaseModel):
    shown: bool = Field(description="Whether the answer is shown rather than refused.")
    probability: float = Field(
        description="P(the answer is right and grounded), calibrated on dev."
    )
    signals: dict[str, float]


class ConsistencyOut(BaseModel):
    score: float | None = Field(description="Share of the claims the passages support.")
    sentences: list[SentenceOut]
    out_of_scope: list[str] = Field(
        default_factory=list,
        description="Question words that no passage (and, in /v1/ask, no readable document) holds.",
    )
    decision: DecisionOut | None = Field(
        default=None, description="The answer-level decision; null when the model was not asked."
    )


class CheckPassageIn(BaseModel):
    number: int = Field(ge=1, le=50, description="The n of the answer's [n] markers.")
    document: str = Field(default="", max_length=300)
    text: str = Field(min_length=1, max_length=20_000)


class CheckRequest(BaseModel):
    question: str = Field(default="", max_length=2000)
    answer: str = Field(
        min_length=1, max_length=5000, description="The answer, with [n] citation markers."
    )
    passages: list[CheckPassageIn] = Field(min_length=1, max_length=20)

    @field_validator("passages")
    @classmethod
    def _numbers_are_unique(cls, passages: list[CheckPassageIn]) -> list[CheckPassageIn]:
        if len({p.number for p in passages}) != len(passages):
            raise ValueError("passage numbers must be unique")
        return passages

    def as_passages(self) -> list[Passage]:
        return [
            Passage(p.number, f"check-{p.number}", p.text, {"title": p.document})
            for p in self.passages
        ]


class TimingsOut(BaseModel):
    rewrite_ms: float = 0.0
    retrieve_ms: float
    generate_ms: float = Field(
        description="From the request to the model to its last token (first token included)."
    )
    check_ms: float
    first_token_ms: float | None = None


class PassageOut(BaseModel):
    number: int
    chunk_id: str
    document: str
    file_name: str
    page: int | None
    section: str
    text: str
    score: float | None = None
    ocr: bool = Field(default=False, description="Text read by OCR from a scan or photo.")


class AskResponse(BaseModel):
    session_id: str | None = Field(
        default=None,
        description="The session this answer was added to (send it back for a follow-up).",
    )
    question: str = Field(description="The question answered: a follow-up's standalone rewrite.")
    answer: str
    refused: bool
    refusal_reason: str = Field(
        default="", description="Why the answer was refused (Korean); empty when answered."
    )
    citations: list[CitationOut]
    consistency: ConsistencyOut
    passages: list[PassageOut]
    timings: TimingsOut


class SearchResponse(BaseModel):
    results: list[PassageOut]


def passage_out(passage: Passage, score: float | None = None) -> PassageOut:
    return PassageOut(
        number=passage.number,
        chunk_id=passage.chunk_id,
        document=passage.document,
        file_name=str(passage.payload.get("file_name", "")),
        page=passage.payload.get("page"),
        section=str(passage.payload.get("section", "")),
        text=passage.text,
        score=score,
        ocr=bool(passage.payload.get("ocr")),
    )


def consistency_out(
    consistency: ConsistencyResult, decision: AnswerDecision | None
) -> ConsistencyOut:
    return ConsistencyOut(
        score=consistency.score,
        sentences=[SentenceOut(**vars(s)) for s in consistency.sentences],
        out_of_scope=list(consistency.out_of_scope),
        decision=DecisionOut(
            shown=decision.show, probability=decision.probability, signals=decision.signals
        )
        if decision
        else None,
    )


def ask_response(result: AnswerResult, session_id: str | None = None) -> AskResponse:
    return AskResponse(
        session_id=session_id,
        question=result.question,
        answer=result.answer,
        refused=result.refused,
        refusal_reason=result.refusal_reason,
        citations=[CitationOut(**vars(c)) for c in result.citations],
        consistency=consistency_out(result.consistency, result.decision),
        passages=[passage_out(p) for p in result.passages],
        timings=TimingsOut(**vars(result.timings)),
    )
