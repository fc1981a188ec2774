"""The employee's chat: pick a knowledge base, ask, watch the draft arrive, then read the
checked answer that replaces it. Past conversations are in the sidebar."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import state
from ui.answer_view import show_answer
from ui.api_client import ApiProblem
from ui.safe_text import escape

ALL = "전체"


def _conversations() -> None:
    with st.sidebar:
        st.subheader("대화")
        if st.button("＋ 새 대화", key="new-chat"):
            state.start_conversation()
            st.rerun()
        try:
            sessions = state.client().get("/v1/sessions")["sessions"]
        except ApiProblem as error:
            st.caption(error.message)
            return
        for item in sessions[:30]:
            left, right = st.columns([5, 1])
            if left.button(item["title"], key=f"open-{item['session_id']}"):
                _resume(item["session_id"])
            if right.button("🗑", key=f"del-{item['session_id']}", help="대화 삭제"):
                _delete(item["session_id"])


def _resume(session_id: str) -> None:
    try:
        turns = state.client().get(f"/v1/sessions/{session_id}")["turns"]
    except ApiProblem as error:
        st.sidebar.error(error.message)
        return
    state.start_conversation(session_id, turns)
    st.rerun()


def _delete(session_id: str) -> None:
    try:
        state.client().delete(f"/v1/sessions/{session_id}")
    except ApiProblem as error:
        st.sidebar.error(error.message)
        return
    if st.session_state.get("session_id") == session_id:
        state.start_conversation()
    st.rerun()


def _stream(body: dict[str, Any]) -> dict[str, Any] | None:
    """Tokens into a draft box as they come; the checked answer, or None after an error."""
    with st.container(key="draft"):
        box = st.empty()
        box.caption("문서를 찾는 중…")
    draft = ""
    try:
        for kind, data in state.client().ask_stream(body):
            if kind == "token":
                draft += data
                box.markdown(escape(draft) + " ▌")
            elif kind == "answer":
                box.empty()
                answer: dict[str, Any] = data
                return answer
    except ApiProblem as error:
        box.empty()
        st.error(error.message)
    return None


def _ask(question: str, knowledge_base: str) -> None:
    body: dict[str, Any] = {"question": question}
    if st.session_state.get("session_id"):
        body["session_id"] = st.session_state.session_id
    if knowledge_base != ALL:
        body["knowledge_base"] = knowledge_base
    with st.chat_message("user"):
        st.markdown(escape(question))
    with st.chat_message("assistant"):
        result = _stream(body)
    if result is not None:
        st.session_state.session_id = result.get("session_id")
        st.session_state.turns.append({"asked": question, **result})
        st.rerun()


def page() -> None:
    st.title("사내 문서 질의응답")
    st.caption("답변은 사내 문서만 근거로 하며, 문장마다 근거 확인 결과를 표시합니다.")
    st.session_state.setdefault("turns", [])
    knowledge_base = st.sidebar.selectbox(
        "지식베이스", [ALL, *state.readable_knowledge_bases()], key="knowledge_base"
    )
    _conversations()
    for number, turn in enumerate(st.session_state.turns):
        asked = str(turn.get("asked", turn.get("question", "")))
        with st.chat_message("user"):
            st.markdown(escape(asked))
        with st.chat_message("assistant"):
            show_answer(turn, asked, number)
    if question := st.chat_input("질문을 입력하세요"):
        _ask(question, str(knowledge_base))


page()
