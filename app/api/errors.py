"""The one error shape of the API, `{"error": {"code", "message"}}` with Korean messages, and
the handlers that turn exceptions into it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

RETRY_AFTER_S = 10
BUSY_MESSAGE = "요청이 많아 잠시 후 다시 시도해 주세요."


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def busy() -> ApiError:
    return ApiError(503, "busy", BUSY_MESSAGE, {"Retry-After": str(RETRY_AFTER_S)})


def unknown_knowledge_base(name: str) -> ApiError:
    """The same answer for a knowledge base that does not exist and one the caller may not read."""
    return ApiError(404, "unknown_knowledge_base", f"알 수 없는 지식베이스입니다: {name}")


_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    429: "rate_limit_error",
}


def error_type(status: int) -> str:
    """OpenAI's error `type` for a status, so OpenAI clients raise their matching error."""
    if status in _OPENAI_TYPES:
        return _OPENAI_TYPES[status]
    return "invalid_request_error" if status < 500 else "server_error"


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """`{"error": {code, message, type, param}}`: our shape is also OpenAI's (`type` and
    `param` are what OpenAI's clients read besides code and message)."""
    body = {"error": {"code": code, "message": message, "type": error_type(status), "param": None}}
    body["error"].update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable: unauthorized, forbidden, unknown_document, …")
    message: str = Field(description="Korean, for the user.")
    type: str = Field(description="OpenAI's error type for the status.")
    param: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _documented(status: int, code: str, message: str, description: str) -> dict[str, Any]:
    example = {
        "error": {"code": code, "message": message, "type": error_type(status), "param": None}
    }
    return {
        "model": ErrorBody,
        "description": description,
        "content": {"application/json": {"example": example}},
    }


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented(
        401,
        "unauthorized",
        "API 키가 필요합니다 (Authorization: Bearer <API 키>).",
        "No, malformed or revoked key.",
    ),
    403: _documented(
        403,
        "forbidden",
        "편집자(editor) 권한이 필요합니다.",
        "Role too low, or a knowledge base or document the key may not edit.",
    ),
    404: _documented(
        404,
        "unknown_knowledge_base",
        "알 수 없는 지식베이스입니다: 인사",
        "Unknown, or not readable by this caller (the same answer).",
    ),
    413: _documented(
        413, "too_large", "요청 본문이 너무 큽니다 (최대 1,024 KB).", "Body over the limit."
    ),
    422: _documented(
        422, "validation_error", "요청 형식이 올바르지 않습니다.", "Invalid body or parameters."
    ),
    429: _documented(
        429,
        "rate_limited",
        "요청이 너무 잦습니다. 3초 뒤에 다시 시도해 주세요.",
        "Rate limit; see Retry-After.",
    ),
    503: _documented(503, "busy", BUSY_MESSAGE, "The generation queue is full; see Retry-After."),
}
"""The error responses every route documents in the OpenAPI schema."""


def _api_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.code, error.message, error.headers)


def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = [
        {"field": ".".join(str(p) for p in e["loc"][1:]), "message": str(e["msg"])}
        for e in error.errors()
    ]
    return error_response(
        422, "validation_error", "요청 형식이 올바르지 않습니다.", details=details
    )


_HTTP_MESSAGES = {
    404: ("not_found", "없는 경로입니다."),
    405: ("method_not_allowed", "허용되지 않는 요청 방식입니다."),
    413: ("too_large", "요청 본문이 너무 큽니다."),
}


def _http_error(_: Request, error: Exception) -> JSONResponse:
    """Framework errors (unknown route, wrong method) in the same shape as ours."""
    assert isinstance(error, HTTPException)
    code, message = _HTTP_MESSAGES.get(
        error.status_code, ("http_error", "요청을 처리할 수 없습니다.")
    )
    if error.status_code == 413:
        message = str(error.detail)
    return error_response(error.status_code, code, message, dict(error.headers or {}))


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(HTTPException, _http_error)
    api.add_exception_handler(RequestValidationError, _validation_error)
