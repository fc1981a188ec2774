"""What one browser session holds: the key it logged in with, who that key is, the open
conversation. Streamlit keeps `st.session_state` per browser tab, on the UI server only."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.api_client import ApiClient, ApiProblem
from ui.settings import UISettings


@st.cache_resource
def settings() -> UISettings:
    return UISettings()


def client() -> ApiClient:
    config = settings()
    return ApiClient(config.api_url, st.session_state.get("api_key", ""), config.ui_timeout_s)


def me() -> dict[str, Any] | None:
    """The logged-in caller as GET /v1/me described it; None before log-in."""
    found: dict[str, Any] | None = st.session_state.get("me")
    return found


def has_role(role: str) -> bool:
    order = ("reader", "editor", "admin")
    caller = me()
    return caller is not None and order.index(caller["role"]) >= order.index(role)


def start_conversation(session_id: str | None = None, turns: list[Any] | None = None) -> None:
    st.session_state.session_id = session_id
    st.session_state.turns = list(turns or [])
    st.session_state.rated = {}


def log_out() -> None:
    for name in ("api_key", "me", "session_id", "turns", "rated", "previews"):
        st.session_state.pop(name, None)


def readable_knowledge_bases() -> list[str]:
    """The knowledge bases this caller may read (GET /v1/knowledge-bases); the key's own list
    when the API predates that route; [] when neither says."""
    try:
        listed = client().get("/v1/knowledge-bases")["knowledge_bases"]
        return [str(kb["name"]) for kb in listed]
    except ApiProblem as error:
        if not error.missing_route:
            st.warning(error.message)
        caller = me() or {}
        return list(caller.get("knowledge_bases") or [])
