"""GET /healthz: liveness for anyone; index figures only for an admin (or the local user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import OptionalCallerDep, ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(caller: OptionalCallerDep, services: ServicesDep) -> dict[str, Any]:
    if caller is None or not caller.has_role("admin"):
        return {"status": "ok"}
    return {"status": "ok", "chunks": services.store.count(), "embedder": services.embedder.name}
