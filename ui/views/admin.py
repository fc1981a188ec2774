"""Console for administrators: API keys, the audit log and a small metrics summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

import streamlit as st

from ui import state
from ui.api_client import ApiProblem

ROLES = ["reader", "editor", "admin"]


def _split(raw: str) -> list[str] | None:
    names = [n.strip() for n in raw.split(",") if n.strip()]
    return names or None


def _keys() -> None:
    st.subheader("API 키")
    try:
        keys = state.client().get("/v1/keys")["keys"]
    except ApiProblem as error:
        st.error(error.message)
        return
    st.dataframe(keys, hide_index=True)
    with st.form("new-key", clear_on_submit=True):
        name = st.text_input("이름")
        role = st.selectbox("역할", ROLES)
        groups = st.text_input("그룹 (쉼표로 구분)")
        bases = st.text_input("지식베이스 (쉼표로 구분, 비우면 전체)")
        if st.form_submit_button("키 만들기"):
            body = {"name": name, "role": role, "groups": _split(groups)}
            body["knowledge_bases"] = _split(bases)
            try:
                created = state.client().post("/v1/keys", body)
            except ApiProblem as error:
                st.error(error.message)
            else:
                st.success("키를 만들었습니다. 지금만 보이니 복사해 전달하세요.")
                st.code(created["key"], language=None)
    active = [k["name"] for k in keys if not k["revoked"]]
    revoked = st.selectbox("폐기할 키", active, index=None, key="revoke-name")
    if revoked and st.button("폐기", key="revoke"):
        try:
            state.client().delete(f"/v1/keys/{revoked}")
        except ApiProblem as error:
            st.error(error.message)
        else:
            st.rerun()


def _summary(events: list[dict[str, Any]]) -> None:
    """Counts from the audit log: questions, refusals, uploads, ratings."""
    actions = Counter(e["action"] for e in events)
    asks = [e for e in events if e["action"] == "ask"]
    refused = sum(1 for e in asks if e.get("refused"))
    ratings = Counter(e.get("rating") for e in events if e["action"] == "feedback")
    cols = st.columns(4)
    cols[0].metric("질문", len(asks))
    cols[1].metric("답하지 않음", refused)
    cols[2].metric("업로드", actions.get("upload", 0))
    cols[3].metric("👍 / 👎", f"{ratings.get(1, 0)} / {ratings.get(-1, 0)}")


def _metrics() -> None:
    try:
        text = state.client().metrics()
    except ApiProblem:
        return  # an API without /metrics: the audit summary above stands alone
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    with st.expander(f"Prometheus 지표 ({len(lines)}줄)"):
        st.code("\n".join(lines[:200]), language=None)


def page() -> None:
    st.title("관리")
    try:
        events = state.client().get("/v1/audit", limit=10_000)["events"]
    except ApiProblem as error:
        st.error(error.message)
        events = []
    st.subheader("요약")
    _summary(events)
    _metrics()
    _keys()
    st.subheader("감사 로그 (최근 200건)")
    rows = [
        {"at": e["at"], "actor": e["actor"], "role": e["role"], "action": e["action"]}
        | {k: str(v) for k, v in e.items() if k not in ("at", "actor", "role", "action")}
        for e in reversed(events[-200:])
    ]
    st.dataframe(rows, hide_index=True)


page()
