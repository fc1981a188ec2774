"""FastAPI service: one router per resource, one caller dependency, one error shape.

Routers: ask (JSON and server-sent events), search, check, documents and knowledge bases,
page preview, sessions, feedback, me, sync, admin (audit, keys), health and metrics, and the
protocols other tools speak: OpenAI's chat API and Dify's External Knowledge API. Who may call what is decided in
app.api.deps.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app.api import (
    admin,
    ask,
    check,
    dify,
    documents,
    feedback,
    health,
    knowledge_bases,
    me,
    metrics,
    openai_compat,
    preview,
    search,
    sessions,
    sync,
)
from app.api.authn import Authenticate
from app.api.errors import ERROR_RESPONSES, install_error_handlers
from app.api.limits import BodyLimits
from app.api.ratelimit import RateLimiter
from app.observability import RequestObservation
from app.services import Services
from ingest.sync import run_on_schedule

ROUTERS = (
    ask,
    openai_compat,
    search,
    dify,
    check,
    documents,
    preview,
    knowledge_bases,
    sessions,
    feedback,
    me,
    sync,
    admin,
    health,
    metrics,
)
MULTIPART_OVERHEAD = 1 << 20
"""Bytes a multipart upload may carry beyond the file itself (boundaries, form fields)."""


def create_app(services: Services | None = None) -> FastAPI:
    services = services or Services()
    services.database  # noqa: B018  # migrations run now, not on the first request

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        settings = services.ingest
        services.audit.prune()
        # Embedded mode: only this process may open the store, so the schedule runs here
        # (with a Qdrant server, `kdocqa worker` runs it instead).
        if settings.sources and settings.sync_cron and services.retrieval.store == "edge":
            threading.Thread(
                target=run_on_schedule,
                args=(settings.sync_cron, services.sync_sources, stop),
                name="scheduled-sync",
                daemon=True,
            ).start()
        yield
        stop.set()

    api = FastAPI(
        title="kdocqa", version="0.1.0", description="사내 문서 질의응답 API", lifespan=lifespan
    )
    api.state.services = services
    api.state.limiter = RateLimiter(
        services.app.rate_limit_per_minute, services.app.rate_limit_burst
    )
    install_error_handlers(api)
    dify.install_error_handler(api)
    for module in ROUTERS:
        api.include_router(
            module.router, responses=getattr(module, "ERROR_RESPONSES", ERROR_RESPONSES)
        )
    upload_bytes = int(services.ingest.max_file_mb * 1_048_576) + MULTIPART_OVERHEAD
    api.add_middleware(
        BodyLimits,
        json_bytes=services.app.max_json_kb * 1024,
        upload_bytes=upload_bytes,
        max_depth=services.app.max_json_depth,
    )
    api.add_middleware(Authenticate, services=services)
    api.add_middleware(TrustedHostMiddleware, allowed_hosts=services.app.trusted_hosts)
    api.add_middleware(RequestObservation)  # outermost: every response has a request id
    return api
