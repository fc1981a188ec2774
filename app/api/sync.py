"""POST /v1/sync and GET /v1/sync/reports: admins only (reports name every file's path)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import AdminDep, ServicesDep
from app.api.errors import ApiError
from ingest.sync import recent_reports

router = APIRouter(tags=["sync"])


@router.post("/v1/sync", status_code=202)
def sync_now(caller: AdminDep, services: ServicesDep, rebuild: bool = False) -> dict[str, Any]:
    """Start a sync of every configured source in the background; see /v1/sync/reports.
    `rebuild=true` indexes everything into a new collection and switches to it at the end."""
    if not services.ingest.sources:
        raise ApiError(404, "no_sources", "동기화할 소스가 설정되지 않았습니다 (KDOCQA_SOURCES).")
    if services.ingest_lock.locked():
        raise ApiError(409, "sync_running", "이미 동기화 또는 업로드가 진행 중입니다.")
    threading.Thread(
        target=services.sync_sources,
        kwargs={"wait": False, "rebuild": rebuild},
        name="sync",
        daemon=True,
    ).start()
    services.audit.record(caller, "sync", rebuild=rebuild)
    return {"status": "started"}


@router.get("/v1/sync/reports")
def sync_reports(
    _: AdminDep, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict[str, Any]:
    return {"reports": recent_reports(services.reports_dir, limit)}
