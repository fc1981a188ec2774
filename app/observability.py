"""What operators watch: Prometheus metrics, a request id on every request, JSON logs.

Metrics live in prometheus-client's default registry, so the pipeline records them where the
work happens (the answer, the LLM queue, a sync) and `/metrics` serves them. Labels stay
bounded: route templates ("/v1/documents/{document_id}"), never raw paths, ids or questions.
The request id comes from a valid incoming `X-Request-ID` or is made here; it goes back as a
response header, into every log line of the request and into its audit events.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kdocqa.access")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[0-9A-Za-z._-]{1,64}$")
request_id: ContextVar[str] = ContextVar("kdocqa_request_id", default="")
"""The id of the request being served ("" outside a request: the CLI, the sync worker)."""

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)

REQUESTS = Counter(
    "kdocqa_http_requests_total",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "kdocqa_http_request_duration_seconds",
    "Time to the response's first byte, by route template and method (a stream's events are "
    "not counted).",
    ["route", "method"],
    buckets=_SECONDS,
)
STAGE_SECONDS = Histogram(
    "kdocqa_answer_stage_seconds",
    "Answer pipeline stages: rewrite, retrieve, first_token, generation, check.",
    ["stage"],
    buckets=_SECONDS,
)
TOKENS_PER_SECOND = Histogram(
    "kdocqa_generation_tokens_per_second",
    "The LLM's draft tokens per second of generation, per answer.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
GENERATED_TOKENS = Counter("kdocqa_generated_tokens_total", "Draft tokens the LLM wrote.")
ANSWERS = Counter("kdocqa_answers_total", "Answers by outcome: answered or refused.", ["outcome"])
VERDICTS = Counter(
    "kdocqa_checked_sentences_total",
    "The consistency check's sentence verdicts: supported, unsupported, no_claim.",
    ["label"],
)
QUEUE_DEPTH = Gauge(
    "kdocqa_llm_queue_depth", "Requests generating or waiting for the LLM (all models)."
)
QUEUE_REJECTIONS = Counter(
    "kdocqa_llm_queue_rejections_total",
    "Requests refused with 503 busy: the queue was full or the wait timed out.",
    ["reason"],
)
SYNC_RUNS = Counter(
    "kdocqa_sync_runs_total",
    "Sync runs by kind (sync, rebuild) and result (ok, error).",
    ["kind", "result"],
)
INGESTED_FILES = Counter(
    "kdocqa_ingested_files_total",
    "File outcomes of syncs and uploads: added, updated, moved, unchanged, deleted, skipped, "
    "failed.",
    ["source", "status"],
)


def record_answer(result: Any, draft_tokens: int) -> None:
    """One finished answer (an app.answer.AnswerResult): stage times, speed, verdicts."""
    timings = result.timings
    stages = {
        "rewrite": timings.rewrite_ms,
        "retrieve": timings.retrieve_ms,
        "first_token": timings.first_token_ms,
        "generation": timings.generate_ms,
        "check": timings.check_ms,
    }
    for stage, ms in stages.items():
        if ms:  # 0 or None: the stage did not run (no follow-up, refused before the model)
            STAGE_SECONDS.labels(stage).observe(ms / 1000)
    if draft_tokens and timings.generate_ms:
        GENERATED_TOKENS.inc(draft_tokens)
        TOKENS_PER_SECOND.observe(draft_tokens / (timings.generate_ms / 1000))
    ANSWERS.labels("refused" if result.refused else "answered").inc()
    for sentence in result.consistency.sentences:
        VERDICTS.labels(sentence.label).inc()


def record_files(source: str, counts: Mapping[str, int]) -> None:
    for status, count in counts.items():
        if count:
            INGESTED_FILES.labels(source, status).inc(count)


def new_request_id(incoming: str | None) -> str:
    """The caller's id when it is a plain token (a proxy's trace id), else a fresh one."""
    if incoming and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestObservation:
    """ASGI middleware: request id (header in and out, context for logs and audit), request
    count and latency per route template, one JSON access log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        rid = new_request_id(headers.get(REQUEST_ID_HEADER.lower()))
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), rid.encode()),
                ]
                REQUEST_SECONDS.labels(_route_template(scope), scope["method"]).observe(
                    time.perf_counter() - started
                )
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            route = _route_template(scope)
            REQUESTS.labels(route, scope["method"], str(status)).inc()
            caller = scope.get("state", {}).get("caller")
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "caller": getattr(caller, "subject", None),
                },
            )
            request_id.reset(token)


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id, and any
    `extra` fields. Messages are the code's own; request bodies and headers are never logged."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_json_logging(level: int = logging.INFO, loggers: Iterable[str] = ("",)) -> None:
    """Route the named loggers (root by default) and uvicorn's to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in (*loggers, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # our access line replaces it
