"""What a request may see: the caller's filter, with the knowledge base and question checked."""

from __future__ import annotations

from dataclasses import replace

from app.answer import InvalidQuestion, UnknownKnowledgeBase
from app.api.errors import ApiError, unknown_knowledge_base
from app.identity import Caller
from app.schemas import AskRequest
from app.services import Services
from retrieval.store.base import SearchFilter


def caller_filter(caller: Caller, request: AskRequest) -> SearchFilter:
    """The engine filter: the caller's groups (narrowed by `groups`) and knowledge bases,
    plus the request's own conditions; an unreadable knowledge base is a 404 like an unknown."""
    kb = request.knowledge_base
    if kb is not None and not caller.may_read_knowledge_base(kb):
        raise unknown_knowledge_base(kb)
    return caller.search_filter(
        kb, request.groups, request.file_types, request.modified_from, request.modified_to
    )


def checked_question(services: Services, request: AskRequest, search_filter: SearchFilter) -> str:
    """The stripped question; 422 for an empty or over-long one, 404 for a requested knowledge
    base holding nothing this caller may read (the key's own list is not checked: a key may
    name a knowledge base that is still empty)."""
    named = [request.knowledge_base] if request.knowledge_base else None
    try:
        return services.answerer.validate(
            request.question, replace(search_filter, knowledge_bases=named)
        )
    except InvalidQuestion as error:
        raise ApiError(422, "invalid_question", str(error)) from error
    except UnknownKnowledgeBase as error:
        raise ApiError(404, "unknown_knowledge_base", str(error)) from error
