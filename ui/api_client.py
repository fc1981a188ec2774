"""The UI's only way to the service: HTTP calls to the API, with its errors turned into one
exception carrying a Korean message the page can show as it is."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

BUSY = "잠시 후 다시 시도해 주세요. 서버가 다른 질문에 답하는 중입니다."
DOWN = "API 서버에 연결할 수 없습니다. 서버가 켜져 있는지 확인해 주세요."
BAD_KEY = "API 키가 올바르지 않거나 폐기되었습니다. 다시 로그인해 주세요."
TOO_OFTEN = "요청이 너무 잦습니다. 잠시 후 다시 시도해 주세요."


class ApiProblem(Exception):
    """A failed call: HTTP status (0 when the API could not be reached), error code, and a
    message for the user."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    @property
    def missing_route(self) -> bool:
        """The API is older than this UI (the route does not exist)."""
        return self.status in (404, 405) and self.code == "not_found"


def problem(response: httpx.Response) -> ApiProblem:
    """The user's message for an error reply."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    code = str(error.get("code", "")) or "http_error"
    status = response.status_code
    if status == 503:
        return ApiProblem(status, "busy", BUSY)
    if status == 401:
        return ApiProblem(status, code, BAD_KEY)
    if status == 429:
        return ApiProblem(status, code, TOO_OFTEN)
    return ApiProblem(
        status, code, str(error.get("message") or f"오류가 났습니다 (HTTP {status}).")
    )


def parse_sse(lines: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """Server-sent events as (event name, decoded JSON data)."""
    name, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield name, json.loads("\n".join(data))


@dataclass(frozen=True)
class Preview:
    """A page rendered as a PNG (`image`), or the text of the chunks shown there (`text`)."""

    image: bytes | None = None
    text: dict[str, Any] | None = None


class ApiClient:
    def __init__(self, base_url: str, key: str, timeout_s: float) -> None:
        self.base_url, self.key, self.timeout_s = base_url.rstrip("/"), key, timeout_s

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = httpx.request(
                method,
                self.base_url + path,
                headers=self._headers(),
                timeout=self.timeout_s,
                **kwargs,
            )
        except httpx.HTTPError as error:
            raise ApiProblem(0, "down", DOWN) from error
        if response.status_code >= 400:
            raise problem(response)
        return response

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.request("GET", path, params=params or None).json()
        return data

    def post(self, path: str, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        response = self.request("POST", path, json=body, **kw)
        return response.json() if response.content else {}

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def ask_stream(self, body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        """`("token", text)` as the draft is written, then `("answer", the checked answer)`;
        an `error` event (the check's judge timed out) is raised as busy."""
        try:
            with httpx.stream(
                "POST",
                self.base_url + "/v1/ask/stream",
                json=body,
                headers=self._headers(),
                timeout=self.timeout_s,
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise problem(response)
                for name, data in parse_sse(response.iter_lines()):
                    if name == "error":
                        raise ApiProblem(503, str(data.get("code", "busy")), BUSY)
                    yield name, data
        except httpx.HTTPError as error:
            raise ApiProblem(0, "down", DOWN) from error

    def preview(self, document_id: str, page: int | None = None, text: bool = False) -> Preview:
        params: dict[str, Any] = {"format": "text" if text else "auto"}
        if page is not None:
            params["page"] = page
        response = self.request("GET", f"/v1/documents/{document_id}/preview", params=params)
        if response.headers.get("content-type", "").startswith("image/png"):
            return Preview(image=response.content)
        return Preview(text=response.json())

    def upload(
        self, name: str, content: bytes, knowledge_base: str, groups: str | None
    ) -> dict[str, Any]:
        form = {"knowledge_base": knowledge_base, **({"groups": groups} if groups else {})}
        response = self.request("POST", "/v1/documents", files={"file": (name, content)}, data=form)
        data: dict[str, Any] = response.json()
        return data

    def metrics(self) -> str:
        return self.request("GET", "/metrics").text
