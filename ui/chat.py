"""Employee chat: question in, answer with citations and unsupported sentences marked.

Run: streamlit run ui/chat.py  (the API must be running; KDOCQA_API_URL points at it)
"""

from __future__ import annotations

import sys
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
    # Log in with an API key (`kdocqa keys create NAME --role reader`); the key, not the user,
    # decides which documents are readable, so there is no access-group box.
    typed = st.text_input(
        "API 키",
        type="password",
        value=st.session_state.get("api_key", ""),
        help="관리자에게 받은 키 (kdq_…). 키가 없는 단일 사용자 설치는 비워 두세요.",
    )
    st.session_state.api_key = typed.strip()
    knowledge_base = st.text_input("지식베이스", value="", help="비우면 전체에서 찾습니다.")


def ask(question: str) -> dict[str, Any]:
    # The server hands out the session id with the first answer; sending it back lets the API
    # read a follow-up ("그럼 계약직은?") in context.
    body: dict[str, Any] = {"question": question}
    if st.session_state.get("session_id"):
        body["session_id"] = st.session_state.session_id
    if knowledge_base.strip():
        body["knowledge_base"] = knowledge_base.strip()
    headers = (
        {"Authorization": f"Bearer {st.session_state.api_key}"} if st.session_state.api_key else {}
    )
    response = httpx.post(
        f"{settings.api_url}/v1/ask", json=body, headers=headers, timeout=settings.ui_timeout_s
    )
    data: dict[str, Any] = response.json()
    if response.status_code == 401:
        raise RuntimeError("API 키가 필요하거나 올바르지 않습니다. 왼쪽에 키를 입력하세요.")
    if response.status_code != 200:
        raise RuntimeError(data.get("error", {}).get("message", f"HTTP {response.status_code}"))
    st.session_state.session_id = data.get("session_id")
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
                if c.get("ocr"):
                    where = f"{where} (OCR: 스캔 이미지에서 읽은 글자)".strip()
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
    st.session_state.session_id = None

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
