"""Authentication before the body: a /v1 request without valid credentials is refused from
its headers alone, so an anonymous upload is never read or spooled (FastAPI parses a body
before it resolves the route's dependencies)."""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import authenticated
from app.api.errors import ApiError, error_response
from app.services import Services


class Authenticate:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        try:
            caller = await to_thread.run_sync(authenticated, Request(scope), self.services)
        except ApiError as error:
            response = error_response(error.status, error.code, error.message, error.headers)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)
