"""FastAPI service: ask (JSON or server-sent events), search, upload-and-ingest, health."""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from app.answer import AnswerResult, InvalidQuestion, UnknownKnowledgeBase
from app.conversation import Turn
from app.llm import LLMBusy
from app.prompt import Passage
from app.schemas import (
    AskRequest,
    AskResponse,
    SearchRequest,
    SearchResponse,
    ask_response,
    passage_out,
)
from app.services import Services
from ingest.index import FileOutcome
from ingest.sync import recent_reports, run_on_schedule
from retrieval.store.base import SearchFilter

RETRY_AFTER_S = 10


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


BUSY_MESSAGE = "요청이 많아 잠시 후 다시 시도해 주세요."


def _busy() -> ApiError:
    return ApiError(503, "busy", BUSY_MESSAGE, {"Retry-After": str(RETRY_AFTER_S)})


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _filter(request: AskRequest) -> SearchFilter:
    return SearchFilter(
        knowledge_bases=[request.knowledge_base] if request.knowledge_base else None,
        acl_groups=request.groups,
        file_types=[t.lower().lstrip(".") for t in request.file_types]
        if request.file_types is not None
        else None,
        modified_from=request.modified_from,
        modified_to=request.modified_to,
    )


def create_app(services: Services | None = None) -> FastAPI:
    services = services or Services()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        settings = services.ingest
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

    @api.exception_handler(ApiError)
    def _api_error(_: Request, error: ApiError) -> JSONResponse:
        response = _error(error.status, error.code, error.message)
        response.headers.update(error.headers or {})
        return response

    @api.exception_handler(RequestValidationError)
    def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in error.errors()
        ]
        return _error(422, "validation_error", "요청 형식이 올바르지 않습니다.", details=details)

    def run_answer(request: AskRequest) -> Iterator[str | AnswerResult]:
        try:
            services.answerer.validate(request.question, _filter(request))
        except InvalidQuestion as error:
            raise ApiError(422, "invalid_question", str(error)) from error
        except UnknownKnowledgeBase as error:
            raise ApiError(404, "unknown_knowledge_base", str(error)) from error
        session = request.session_id
        turns = services.conversations.turns(session) if session else []
        history = [(turn.question, turn.answer) for turn in turns]

        def remembered() -> Iterator[str | AnswerResult]:
            for item in services.answerer.stream(request.question, _filter(request), history):
                if session and isinstance(item, AnswerResult):
                    served = {"asked": request.question, **ask_response(item).model_dump()}
                    services.conversations.add(session, Turn(item.question, item.answer, served))
                yield item

        return remembered()

    @api.get("/v1/sessions/{session_id}")
    def session_turns(session_id: str) -> dict[str, Any]:
        """A conversation's recent answers exactly as they were served, citations included
        (the API trusts its callers with session ids as it does with access groups)."""
        turns = services.conversations.turns(session_id)
        if not turns:
            raise ApiError(
                404, "unknown_session", "대화 기록이 없습니다 (없거나 오래되어 지워진 세션)."
            )
        return {"session_id": session_id, "turns": [turn.record for turn in turns]}

    @api.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "chunks": services.store.count(),
            "embedder": services.embedder.name,
        }

    @api.post("/v1/sync", status_code=202)
    def sync_now(rebuild: bool = False) -> dict[str, Any]:
        """Start a sync of every configured source in the background; see /v1/sync/reports.
        `rebuild=true` indexes everything into a new collection and switches to it at the end."""
        if not services.ingest.sources:
            raise ApiError(
                404, "no_sources", "동기화할 소스가 설정되지 않았습니다 (KDOCQA_SOURCES)."
            )
        if services.ingest_lock.locked():
            raise ApiError(409, "sync_running", "이미 동기화 또는 업로드가 진행 중입니다.")
        threading.Thread(
            target=services.sync_sources,
            kwargs={"wait": False, "rebuild": rebuild},
            name="sync",
            daemon=True,
        ).start()
        return {"status": "started"}

    @api.get("/v1/sync/reports")
    def sync_reports(limit: int = 10) -> dict[str, Any]:
        return {"reports": recent_reports(services.reports_dir, max(1, min(limit, 100)))}

    @api.post("/v1/ask", response_model=AskResponse)
    def ask(request: AskRequest) -> AskResponse:
        try:
            final: Any = None
            for item in run_answer(request):
                final = item
        except LLMBusy as error:
            raise _busy() from error
        return ask_response(final)

    @api.post("/v1/ask/stream")
    def ask_stream(request: AskRequest) -> StreamingResponse:
        """`token` events carry the model's draft as it is written; the one `answer` event
        carries the checked answer, which replaces the draft (markers corrected, a refused
        draft replaced by the refusal). With the withhold policy no draft is sent, since it
        may hold the sentences the check withholds. A full queue is a 503 before any event."""
        stream = run_answer(request)
        try:
            first = next(stream)  # the model's first piece: the queue has admitted us
        except LLMBusy as error:
            raise _busy() from error
        drafts = services.answerer.settings.unsupported_policy != "withhold"

        def events() -> Iterator[str]:
            try:
                for item in itertools.chain([first], stream):
                    if isinstance(item, AnswerResult):
                        body = ask_response(item).model_dump()
                        yield f"event: answer\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"
                    elif drafts:
                        yield f"event: token\ndata: {json.dumps(item, ensure_ascii=False)}\n\n"
            except LLMBusy:  # the check's judge call timed out behind other requests
                error = {"code": "busy", "message": BUSY_MESSAGE}
                yield f"event: error\ndata: {json.dumps(error, ensure_ascii=False)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @api.post("/v1/search", response_model=SearchResponse)
    def search(request: SearchRequest) -> SearchResponse:
        try:
            question = services.answerer.validate(request.question, _filter(request))
        except InvalidQuestion as error:
            raise ApiError(422, "invalid_question", str(error)) from error
        except UnknownKnowledgeBase as error:
            raise ApiError(404, "unknown_knowledge_base", str(error)) from error
        result = services.searcher.search(
            question, _filter(request), limit=request.top_k, mode=request.mode
        )
        return SearchResponse(
            results=[
                passage_out(
                    Passage(n, hit.id, str(hit.payload.get("text", "")), hit.payload), hit.score
                )
                for n, hit in enumerate(result.hits, 1)
            ]
        )

    @api.post("/v1/documents")
    def upload(
        file: Annotated[UploadFile, File()],
        knowledge_base: Annotated[str, Form()] = "default",
        groups: Annotated[str, Form(description="Comma-separated access groups.")] = "*",
    ) -> dict[str, Any]:
        limit = int(services.indexer.settings.max_file_mb * 1_048_576)
        name = unicodedata.normalize("NFC", Path(file.filename or "upload").name)
        if not name or name.startswith("."):
            raise ApiError(422, "invalid_file_name", "파일 이름이 올바르지 않습니다.")
        folder = services.retrieval.data_dir / "uploads" / knowledge_base
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
            copied = _copy_limited(file, tmp, limit)
        if copied > limit:
            Path(tmp.name).unlink()
            raise ApiError(413, "too_large", f"파일이 너무 큽니다 (최대 {limit // 1_048_576} MB).")
        staged = folder / f".staged-{name}"
        Path(tmp.name).replace(staged)
        outcome = _ingest_upload(services, staged, folder / name, knowledge_base, groups)
        if outcome.status in ("failed", "skipped"):
            status = {"unsupported_type": 415, "too_large": 413}.get(outcome.reason, 422)
            raise ApiError(status, outcome.reason or "failed", outcome.message)
        return {"file": name, "status": outcome.status, "chunks": outcome.chunks}

    return api


def _copy_limited(upload: UploadFile, out: Any, limit: int) -> int:
    copied = 0
    while block := upload.file.read(1 << 20):
        copied += len(block)
        if copied > limit:
            return copied
        out.write(block)
    return copied


def _ingest_upload(
    services: Services, staged: Path, target: Path, knowledge_base: str, groups: str
) -> FileOutcome:
    """Index under the final name only when parsing succeeded; otherwise nothing changes."""
    acl = [g.strip() for g in groups.split(",") if g.strip()]
    with services.ingest_lock:
        backup = target.with_name(f".previous-{target.name}")
        if target.exists():
            shutil.copy2(target, backup)
        staged.replace(target)
        report = services.indexer.ingest(target, knowledge_base, acl)
        outcome = report.outcomes[0]
        if outcome.status in ("failed", "skipped"):
            if backup.exists():
                backup.replace(target)
            else:
                target.unlink()
        elif backup.exists():
            backup.unlink()
    return outcome
