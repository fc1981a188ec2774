"""GET /v1/me: who the key identifies, so that a client (the chat UI) shows only the pages and
knowledge bases this caller may use. Never the key itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import CallerDep

router = APIRouter(tags=["me"])


@router.get("/v1/me")
def me(caller: CallerDep) -> dict[str, Any]:
    return {
        "name": caller.name,
        "role": caller.role,
        "groups": None if caller.groups is None else list(caller.groups),
        "knowledge_bases": None if caller.knowledge_bases is None else list(caller.knowledge_bases),
    }
