"""Employee chat: question in, answer with citations and unsupported sentences marked.

Run: streamlit run ui/chat.py  (the API must be running; KDOCQA_API_URL points at it)
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui.settings import UISettings

settings = UISettings()
st.set_page_config(page_title="사내 문서 질의응답", page_icon="📄")
st.title("사내 문서 질의응답")
st.caption("답변은 사내 문서만 근거로 하며, 문장마다 근거 확인 결과를 표시합니다.")

with st.sidebar:
    knowledge_base = st.text_input("지식베이스", value="", help="비우면 전체에서 찾습니다.")
    groups_text = st.text_input("접근 그룹 (쉼표로 구분)", value="", help="비우면 제한 없음")


def ask(question: str) -> dict[str, Any]:
    # The session id lets the API read a follow-up ("그럼 계약직은?") in context.
    body: dict[str, Any] = {"question": question, "session_id": st.session_state.session_id}
    if knowledge_base.strip():
        body["knowledge_base"] = knowledge_base.strip()
    if groups_text.strip():
        body["groups"] = [g.strip() for g in groups_text.split(",") if g.strip()]
    response = httpx.post(f"{settings.api_url}/v1/ask", json=body, timeout=settings.ui_timeout_s)
    data: dict[str, Any] = response.json()
    if response.status_code != 200:
        raise RuntimeError(data.get("error", {}).get("message", f"HTTP {response.status_code}"))
    return data


def show(result: dict[str, Any], asked: str) -> None:
    if result.get("question") and result["question"] != asked:
        st.caption(f"질문을 이렇게 이해했습니다: {result['question']}")
    sentences = result["consistency"]["sentences"]
    if any(s["label"] == "unsupported" for s in sentences):
        lines = []
        for s in sentences:
            marks = "".join(f"[{n}]" for n in s["citations"])
            text = f"{s['text']} {marks}".strip()
            lines.append(f":orange[{text} ⚠]" if s["label"] == "unsupported" else text)
        st.markdown(" ".join(lines))
    else:
        st.markdown(result["answer"])
    if result["refused"] and result.get("refusal_reason"):
        st.caption(result["refusal_reason"])
    score = result["consistency"]["score"]
    if score is not None:
        st.caption(f"근거 일치도: {score:.0%}")
    for s in sentences:
        if s["label"] == "unsupported":
            st.warning(f"근거가 확인되지 않은 문장: {s['text']} — {'; '.join(s['reasons'])}")
    if result["citations"]:
        with st.expander(f"출처 {len(result['citations'])}개", expanded=True):
            for c in result["citations"]:
                where = ", ".join(x for x in (c["section"], c["place"]) if x)
                st.markdown(
                    f"**[{c['number']}] {c['document']}**" + (f" — {where}" if where else "")
                )
                st.caption(c["snippet"])
    elif result["refused"] and result["passages"]:
        with st.expander("가장 가까운 문서 내용"):
            for p in result["passages"][:3]:
                st.markdown(f"**{p['document']}** {p['section']}")
                st.caption(p["text"][:300])


if "history" not in st.session_state:
    st.session_state.history = []
    st.session_state.session_id = uuid.uuid4().hex

asked = ""
for turn in st.session_state.history:
    with st.chat_message(turn["role"]):
        if turn["role"] == "user":
            asked = turn["content"]
            st.markdown(asked)
        else:
            show(turn["content"], asked)

if question := st.chat_input("질문을 입력하세요"):
    st.session_state.history.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"), st.spinner("문서를 찾고 답을 쓰는 중…"):
        try:
            result = ask(question)
        except (RuntimeError, httpx.HTTPError) as error:
            st.error(f"오류: {error}")
        else:
            st.session_state.history.append({"role": "assistant", "content": result})
            show(result, question)
