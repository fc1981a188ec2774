"""Typed dependencies: the wiring and the caller every route runs as.

Identification, in order: the trusted gateway (only with its shared secret), then an
`Authorization: Bearer <key>` header. Credentials are read from headers only — never from a
query string, a cookie or a form field — so a cross-site form post carries none. While no API
key has ever been created the API is a local single-user install and every request runs as
the local admin; once one exists, every /v1 route needs a key.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from app.api.errors import ApiError
from app.api.ratelimit import RateLimiter
from app.identity import LOCAL_ADMIN, ROLES, Caller, Role, valid_group
from app.services import Services

_UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="kdocqa"'}


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, _UNAUTHENTICATED)


def _gateway_caller(request: Request, services: Services) -> Caller | None:
    """The caller the trusted gateway vouches for; None when the request is not from it."""
    settings = services.app
    secret = request.headers.get(settings.gateway_secret_header)
    if not settings.gateway_secret or secret is None:
        return None
    if not hmac.compare_digest(secret.encode(), settings.gateway_secret.encode()):
        raise _unauthorized("게이트웨이 인증에 실패했습니다.")
    user = (request.headers.get(settings.gateway_user_header) or "").strip()
    if not user or len(user) > 200:
        raise _unauthorized("게이트웨이가 사용자를 전달하지 않았습니다.")
    raw = request.headers.get(settings.gateway_groups_header) or ""
    groups = tuple(g.strip() for g in raw.split(",") if g.strip())
    role = (request.headers.get(settings.gateway_role_header) or "reader").strip()
    if role not in ROLES or not all(valid_group(g) for g in groups):
        raise _unauthorized("게이트웨이가 보낸 역할 또는 그룹이 올바르지 않습니다.")
    return Caller(user, role, groups, None, subject=f"gateway:{user}")  # type: ignore[arg-type]


def identify(request: Request, services: Services) -> Caller | None:
    """Who sent the request; None for an anonymous request while keys exist."""
    gateway = _gateway_caller(request, services)
    if gateway is not None:
        return gateway
    if not services.keys.any_ever():
        # The local single-user install: a key sent anyway is ignored (OpenAI clients always
        # send one), since there is no key it could be checked against.
        return LOCAL_ADMIN
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise _unauthorized("Authorization 헤더는 'Bearer <API 키>' 형식이어야 합니다.")
    caller = services.keys.authenticate(token)
    if caller is None:
        raise _unauthorized("API 키가 올바르지 않거나 폐기되었습니다.")
    return caller


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def authenticated(request: Request, services: Services) -> Caller:
    """The identified caller; 401 without valid credentials."""
    caller = identify(request, services)
    if caller is None:
        raise _unauthorized("API 키가 필요합니다 (Authorization: Bearer <API 키>).")
    return caller


def current_caller(request: Request, services: ServicesDep) -> Caller:
    """The caller the authentication middleware identified, rate-limited per key."""
    caller = getattr(request.state, "caller", None)
    if not isinstance(caller, Caller):
        caller = authenticated(request, services)
    if caller.rate_limited:
        wait = _limiter(request).retry_after(caller.subject)
        if wait:
            raise ApiError(
                429,
                "rate_limited",
                f"요청이 너무 잦습니다. {wait}초 뒤에 다시 시도해 주세요.",
                {"Retry-After": str(wait)},
            )
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def require(role: Role) -> object:
    """A dependency: the caller, 403 unless its role is at least `role`."""

    def caller_with_role(caller: CallerDep) -> Caller:
        if not caller.has_role(role):
            names = {"editor": "편집자(editor)", "admin": "관리자(admin)"}
            raise ApiError(403, "forbidden", f"{names.get(role, role)} 권한이 필요합니다.")
        return caller

    return Depends(caller_with_role)


EditorDep = Annotated[Caller, require("editor")]
AdminDep = Annotated[Caller, require("admin")]


def optional_caller(request: Request, services: ServicesDep) -> Caller | None:
    """For /healthz: the caller when credentials are valid, None for anyone else."""
    try:
        return identify(request, services)
    except ApiError:
        return None


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]
