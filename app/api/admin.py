"""Admin routes: the audit log and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.deps import AdminDep, ServicesDep
from app.api.errors import ApiError
from app.identity import Role
from app.keys import KeyRequestError
from app.schemas import Group, KnowledgeBase

router = APIRouter(tags=["admin"])


@router.get("/v1/audit")
def audit_events(
    _: AdminDep,
    services: ServicesDep,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    """Audit events, oldest first, from `since` (ISO 8601)."""
    return {"events": services.audit.events(since, limit)}


class KeyRequest(BaseModel):
    name: KnowledgeBase = Field(description="Key name: letters, digits, Hangul, '_', '-'.")
    role: Role
    groups: list[Group] | None = Field(default=None, max_length=100)
    knowledge_bases: list[KnowledgeBase] | None = Field(default=None, max_length=100)


@router.get("/v1/keys")
def list_keys(_: AdminDep, services: ServicesDep) -> dict[str, Any]:
    return {
        "keys": [
            {
                "name": k.name,
                "role": k.role,
                "groups": k.groups,
                "knowledge_bases": k.knowledge_bases,
                "created_at": k.created_at.isoformat(timespec="seconds"),
                "revoked": k.revoked_at is not None,
            }
            for k in services.keys.list()
        ]
    }


@router.post("/v1/keys", status_code=201)
def create_key(request: KeyRequest, caller: AdminDep, services: ServicesDep) -> dict[str, Any]:
    """A new key; its token is in this response only."""
    try:
        token = services.keys.create(
            request.name, request.role, request.groups, request.knowledge_bases
        )
    except KeyRequestError as error:
        raise ApiError(409, "key_exists", str(error)) from error
    services.audit.record(caller, "key.create", key=request.name, key_role=request.role)
    return {"name": request.name, "key": token}


@router.delete("/v1/keys/{name}")
def revoke_key(name: str, caller: AdminDep, services: ServicesDep) -> dict[str, Any]:
    try:
        services.keys.revoke(name)
    except KeyRequestError as error:
        raise ApiError(404, "unknown_key", str(error)) from error
    services.audit.record(caller, "key.revoke", key=name)
    return {"name": name, "revoked": True}
