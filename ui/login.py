"""Log-in: an API key (`kdocqa keys create NAME --role reader`), checked against GET /v1/me.
The key, not the user, decides the readable documents, so nobody types access groups."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.api_client import ApiClient, ApiProblem
from ui.safe_text import escape


def login_form() -> None:
    st.title("사내 문서 질의응답")
    st.caption("관리자에게 받은 API 키로 로그인하세요.")
    with st.form("login"):
        key = st.text_input(
            "API 키",
            type="password",
            help="kdq_로 시작하는 키. 키를 만든 적 없는 단일 사용자 설치는 비워 두세요.",
        )
        submitted = st.form_submit_button("로그인", type="primary")
    if not submitted:
        return
    config = state.settings()
    client = ApiClient(config.api_url, key.strip(), config.ui_timeout_s)
    try:
        caller = client.get("/v1/me")
    except ApiProblem as error:
        if error.status == 401 and not key.strip():
            st.error("API 키를 입력하세요.")
        else:
            st.error(error.message)
        return
    st.session_state.api_key = key.strip()
    st.session_state.me = caller
    state.start_conversation()
    st.rerun()


def sidebar_identity() -> None:
    caller = state.me()
    if caller is None:
        return
    roles = {"reader": "읽기", "editor": "편집", "admin": "관리자"}
    with st.sidebar:
        st.caption(f"{escape(caller['name'])} · {roles.get(caller['role'], caller['role'])}")
        if st.button("로그아웃", key="logout"):
            state.log_out()
            st.rerun()
