"""GET /v1/knowledge-bases: the knowledge bases holding a document the caller may read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import CallerDep, ServicesDep
from app.inventory import knowledge_bases

router = APIRouter(tags=["documents"])


@router.get("/v1/knowledge-bases")
def list_knowledge_bases(caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Counts only what the caller may read: another group's documents are not counted, and
    a knowledge base holding only such documents is not listed."""
    found = knowledge_bases(services.store, caller.search_filter(), services.uploads_dir)
    return {"knowledge_bases": found}
