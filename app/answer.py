"""The answer pipeline: retrieve → pack passages → generate → validate citations → check sentences."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.citations import (
    Citation,
    clean_markers,
    resolve_citations,
    with_markers,
    without_sentences,
)
from app.consistency import ConsistencyChecker, ConsistencyResult, SentenceCheck
from app.consistency.calibration import Calibration
from app.consistency.decision import AnswerDecision, decide
from app.conversation import standalone_question
from app.focus import focus_passages
from app.llm import LLM
from app.prompt import Passage, build_messages, refusal_for, select_passages
from app.settings import AppSettings
from retrieval.search import HybridSearcher
from retrieval.store.base import SearchFilter


class InvalidQuestion(ValueError):
    pass


class UnknownKnowledgeBase(LookupError):
    pass


@dataclass
class Timings:
    rewrite_ms: float = 0.0
    retrieve_ms: float = 0.0
    generate_ms: float = 0.0
    """From the request to the model to its last token: the prompt's evaluation (the wait for
    the first token) is part of it."""
    check_ms: float = 0.0
    first_token_ms: float | None = None

    @property
    def answer_ms(self) -> float:
        """The whole answer as the caller waits for it: rewrite, retrieval, generation, check."""
        return round(self.rewrite_ms + self.retrieve_ms + self.generate_ms + self.check_ms, 1)


@dataclass
class AnswerResult:
    question: str
    answer: str
    citations: list[Citation]
    consistency: ConsistencyResult
    passages: list[Passage]
    refused: bool
    timings: Timings = field(default_factory=Timings)
    refusal_reason: str = ""
    """Why the answer was refused, in Korean: nothing relevant found, or what the check found
    wrong in the model's draft."""
    draft: str = ""
    """The model's text before the check (empty when it was not asked): evaluation reads it to
    tell a wrong draft from a right draft the check refused; never shown as an answer."""
    decision: AnswerDecision | None = None
    """Why the answer was shown or refused (None when the model was not asked)."""
    prompt_tokens: int = 0
    """Tokens of the question and of the passage text the model read (the focused units, not
    the whole passages); 0 when the model was not asked."""


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


class Answerer:
    def __init__(
        self,
        searcher: HybridSearcher,
        llm: LLM,
        settings: AppSettings,
        checker: ConsistencyChecker,
        decision_model: Calibration,
    ) -> None:
        """`checker` labels each sentence; `decision_model` decides from the whole answer
        whether it is shown (both built in the wiring, app/services.py)."""
        self.searcher = searcher
        self.llm = llm
        self.settings = settings
        self.checker = checker
        self.decision_model = decision_model

    def validate(self, question: str, search_filter: SearchFilter) -> str:
        question = question.strip()
        if not question:
            raise InvalidQuestion("질문이 비어 있습니다.")
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion(
                f"질문이 너무 깁니다 ({len(question):,}자). "
                f"{self.settings.max_question_chars:,}자 이내로 줄여 주세요."
            )
        for kb in search_filter.knowledge_bases or []:
            # Counted under the caller's groups: a knowledge base holding only documents the
            # caller may not read answers exactly like one that does not exist.
            readable = SearchFilter(knowledge_bases=[kb], acl_groups=search_filter.acl_groups)
            if self.searcher.store.count(readable) == 0:
                raise UnknownKnowledgeBase(f"알 수 없는 지식베이스입니다: {kb}")
        return question

    def retrieve(self, question: str, search_filter: SearchFilter) -> tuple[list[Passage], str]:
        """Passages for the prompt, and why not to answer from them ("" when relevant enough)."""
        result = self.searcher.search(question, search_filter, limit=self.settings.retrieve_k)
        hits = [(hit.id, hit.payload) for hit in result.hits]
        passages = select_passages(hits, self.llm.count_tokens, self.settings.context_tokens)
        if not passages:
            return passages, "검색된 문서가 없습니다."
        if result.best_dense_score < self.settings.min_relevance:
            return passages, (
                "가장 가까운 문서도 질문과 관련성이 낮습니다 "
                f"(유사도 {result.best_dense_score:.2f} < {self.settings.min_relevance:.2f})."
            )
        return passages, ""

    def stream(
        self,
        question: str,
        search_filter: SearchFilter,
        turns: Sequence[tuple[str, str]] = (),
    ) -> Iterator[str | AnswerResult]:
        """Answer text pieces as generated, then the finished AnswerResult.

        With earlier `turns` of the conversation the question is first made standalone, and
        everything after (retrieval, prompt, check) works on that question.
        """
        timings = Timings()
        question = self.validate(question, search_filter)
        if turns:
            start = time.perf_counter()
            question = standalone_question(self.llm, turns, question)
            timings.rewrite_ms = _ms(start)
        start = time.perf_counter()
        passages, why_not = self.retrieve(question, search_filter)
        timings.retrieve_ms = _ms(start)
        if why_not:
            refusal = _refusal(question, passages, timings, why_not)
            yield refusal.answer
            yield refusal
            return
        start = time.perf_counter()
        pieces: list[str] = []
        shown = focus_passages(
            question, passages, self.searcher.embedder, self.settings.prompt_units
        )
        for piece in self.llm.stream(build_messages(question, shown), self.settings.llm_max_tokens):
            if timings.first_token_ms is None:
                timings.first_token_ms = _ms(start)
            pieces.append(piece)
            yield piece
        timings.generate_ms = _ms(start)
        result = self.finish(question, "".join(pieces), passages, timings, search_filter)
        read = [question, *(p.text for p in shown)]
        yield replace(result, prompt_tokens=sum(self.llm.count_tokens(t) for t in read))

    def answer(
        self, question: str, search_filter: SearchFilter, turns: Sequence[tuple[str, str]] = ()
    ) -> AnswerResult:
        final: Any = None
        for item in self.stream(question, search_filter, turns):
            final = item
        assert isinstance(final, AnswerResult)
        return final

    def finish(
        self,
        question: str,
        raw: str,
        passages: list[Passage],
        timings: Timings,
        search_filter: SearchFilter,
    ) -> AnswerResult:
        """Validate citations and check every sentence; an answer with no supported sentence
        (the model's own knowledge, a wrong number, or the model saying it found nothing)
        becomes the refusal, and the closest passages still go back to the caller."""
        start = time.perf_counter()
        text = clean_markers(raw.strip(), {p.number for p in passages})

        def unknown(terms: Collection[str]) -> set[str]:
            return self.searcher.unknown_terms(terms, search_filter)

        consistency = self.checker.check(text, passages, question, unknown)
        decision = decide(consistency, self.decision_model)
        if not decision.show:
            timings.check_ms = _ms(start)
            reason = _draft_refusal_reason(consistency, decision)
            refusal = _refusal(question, passages, timings, reason, raw)
            return replace(refusal, decision=decision)
        text, citations = resolve_citations(with_checked_citations(text, consistency), passages)
        if self.settings.unsupported_policy == "withhold" and consistency.unsupported:
            text = _withhold(text, consistency)
        timings.check_ms = _ms(start)
        return AnswerResult(
            question, text, citations, consistency, passages, False, timings, "", raw, decision
        )

    def check_answer(
        self, question: str, answer: str, passages: Sequence[Passage]
    ) -> tuple[ConsistencyResult, AnswerDecision]:
        """An answer another app already has, checked as /v1/ask checks its own: markers that
        point at no given passage are dropped, and a question word no given passage holds
        counts as out of scope (the caller chose the passages; the index is not consulted)."""
        text = clean_markers(answer.strip(), {p.number for p in passages})
        consistency = self.checker.check(text, passages, question)
        return consistency, decide(consistency, self.decision_model)


def _refusal(
    question: str, passages: list[Passage], timings: Timings, reason: str, draft: str = ""
) -> AnswerResult:
    """The refusal in the question's language; the closest passages still go to the caller."""
    text = refusal_for(question)
    no_claim = ConsistencyResult(None, [SentenceCheck(text, "no_claim", 1.0, [])])
    return AnswerResult(question, text, [], no_claim, passages, True, timings, reason, draft)


def _draft_refusal_reason(consistency: ConsistencyResult, decision: AnswerDecision) -> str:
    """What the check found in a draft it does not show: the first reason of each unsupported
    sentence, the decision's probability when every sentence passed, or that the model itself
    found nothing; then, as a hint, the question's words that no document contains."""
    if consistency.score is None:
        reason = "모델이 자료에서 답을 찾지 못했습니다."
    else:
        found = [s.reasons[0] for s in consistency.unsupported if s.reasons]
        found = found or [f"답변 전체가 맞을 확률이 낮습니다 ({decision.probability:.0%})"]
        reason = (
            "초안 답변을 근거 문서로 확인하지 못했습니다: " + "; ".join(dict.fromkeys(found)) + "."
        )
    if consistency.out_of_scope:
        words = ", ".join(f"'{form}'" for form in consistency.out_of_scope)
        reason += f" 질문의 {words}은(는) 어느 문서에도 없는 말입니다. 문서에 쓰인 말로 물어보세요."
    return reason


def with_checked_citations(text: str, consistency: ConsistencyResult) -> str:
    """The answer with each supported sentence's markers as the checker settled them (it
    corrects a citation to the passage that supports the sentence)."""
    settled = [c.citations if c.label == "supported" else None for c in consistency.sentences]
    return with_markers(text, settled)


def _withhold(text: str, consistency: ConsistencyResult) -> str:
    hidden = [check.label == "unsupported" for check in consistency.sentences]
    note = f"(근거 문서로 확인되지 않은 문장 {sum(hidden)}개를 표시하지 않았습니다.)"
    return without_sentences(text, hidden, note)
