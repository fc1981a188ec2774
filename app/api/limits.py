"""Request bodies bounded while they stream in, before the framework spools anything.

A Content-Length over the limit is refused up front (413); a body sent without one (chunked)
is counted as it arrives and refused the moment it passes the limit. JSON bodies are buffered
(they are small) and refused when nested deeper than the limit (422): Python's parser would
otherwise recurse into a RecursionError, a 500.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"요청 본문이 너무 큽니다 (최대 {limit // 1024:,} KB).")


def json_depth(body: bytes) -> int:
    """Deepest nesting of arrays and objects, brackets inside strings not counted."""
    depth = deepest = 0
    for byte in _STRING.sub(b"", body).translate(None, _NOT_BRACKET):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


class BodyLimits:
    """ASGI middleware: multipart bodies up to `upload_bytes`, any other body up to
    `json_bytes` and `max_depth` levels of nesting."""

    def __init__(self, app: ASGIApp, json_bytes: int, upload_bytes: int, max_depth: int) -> None:
        self.app = app
        self.json_bytes, self.upload_bytes, self.max_depth = json_bytes, upload_bytes, max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.upload_bytes if multipart else self.json_bytes
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit():
            await _refuse(send, 400, "bad_request", "Content-Length가 올바르지 않습니다.")
            return
        if int(declared) > limit:
            await _refuse(send, 413, "too_large", BodyTooLarge(limit).detail)
            return
        if multipart:
            await self.app(scope, _counting(receive, limit), send)
            return
        body = await _read_all(receive, limit)
        if body is None:
            await _refuse(send, 413, "too_large", BodyTooLarge(limit).detail)
            return
        if json_depth(body) > self.max_depth:
            message = f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {self.max_depth}단계)."
            await _refuse(send, 422, "too_deep", message)
            return
        await self.app(scope, _replay(body, receive), send)


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise BodyTooLarge(limit)  # FastAPI passes HTTPExceptions from body parsing on
        return message

    return counted


async def _read_all(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _refuse(send: Send, status: int, code: str, message: Any) -> None:
    response = error_response(status, code, str(message))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": response.body})
