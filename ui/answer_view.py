"""One answer as the employee sees it: each sentence with its check result, citation cards
with the supporting sentence highlighted, a preview of the cited page, 👍 / 👎 and copy.
Everything taken from a document or the model goes through ui.safe_text first."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import state
from ui.api_client import ApiProblem, Preview
from ui.safe_text import escape, highlighted

LABELS = {
    "supported": "✅ 근거 확인",
    "unsupported": "⚠️ 근거 확인 안 됨",
    "no_claim": "· 확인할 내용 없음",
}


def _marks(sentence: dict[str, Any]) -> str:
    return "".join(f"\\[{n}\\]" for n in sentence["citations"])


def answer_markdown(result: dict[str, Any]) -> str:
    """The answer sentence by sentence, an unconfirmed one in orange with ⚠ (escaped text)."""
    sentences = result["consistency"]["sentences"]
    if not sentences:
        return escape(result["answer"])
    parts = []
    for s in sentences:
        text = f"{escape(s['text'])} {_marks(s)}".strip()
        parts.append(f":orange[{text} ⚠]" if s["label"] == "unsupported" else text)
    return " ".join(parts)


def _sentence_checks(result: dict[str, Any]) -> None:
    sentences = result["consistency"]["sentences"]
    if not sentences:
        return
    with st.expander("문장별 근거 확인"):
        for s in sentences:
            reasons = "; ".join(s["reasons"]) or "인용한 문서와 내용이 일치합니다."
            st.markdown(
                f"{LABELS.get(s['label'], s['label'])} — {escape(s['text'])} {_marks(s)}",
                help=reasons,
            )
            if s["label"] == "unsupported" and s["reasons"]:
                st.caption(escape(reasons))


def _claims_citing(result: dict[str, Any], number: int) -> list[str]:
    return [s["text"] for s in result["consistency"]["sentences"] if number in s["citations"]]


def _preview(citation: dict[str, Any]) -> Preview | ApiProblem:
    """The cited page, fetched once per browser session (with this session's key)."""
    cache: dict[tuple[str, int | None], Preview | ApiProblem] = st.session_state.setdefault(
        "previews", {}
    )
    page = citation.get("page")
    place = (citation["document_id"], page)
    if place not in cache:
        try:
            cache[place] = state.client().preview(citation["document_id"], page)
        except ApiProblem as error:
            cache[place] = error
    return cache[place]


def _show_preview(citation: dict[str, Any]) -> None:
    found = _preview(citation)
    if isinstance(found, ApiProblem):
        st.warning(found.message)
    elif found.image is not None:
        st.image(found.image, caption=f"{citation['document']} {citation.get('place', '')}")
    elif found.text is not None:
        chunks = [c for c in found.text["chunks"] if c["section"] == citation["section"]]
        for chunk in (chunks or found.text["chunks"])[:5]:
            if chunk["section"]:
                st.caption(escape(chunk["section"]))
            st.text(chunk["text"])


def citation_card(result: dict[str, Any], citation: dict[str, Any], key: str) -> None:
    number = citation["number"]
    with st.container(border=True, key=f"cite-{key}-{number}"):
        where = " · ".join(escape(x) for x in (citation["section"], citation["place"]) if x)
        if citation.get("ocr"):
            where = f"{where} (OCR: 스캔 이미지에서 읽은 글자)".strip()
        st.markdown(f"**\\[{number}\\] {escape(citation['document'])}**  \n{where}")
        st.markdown(highlighted(citation["snippet"], _claims_citing(result, number)))
        if st.toggle("원문 미리보기", key=f"preview-{key}-{number}"):
            _show_preview(citation)


def _feedback(turn: int) -> None:
    rated: dict[int, int] = st.session_state.setdefault("rated", {})
    if turn in rated:
        st.caption("의견을 보냈습니다 " + ("👍" if rated[turn] > 0 else "👎") + " 감사합니다.")
        return
    comment = st.text_input("의견 (선택)", key=f"comment-{turn}", max_chars=2000)
    left, right, _ = st.columns([2, 2, 3])
    for column, rating, label in ((left, 1, "👍 도움이 됐어요"), (right, -1, "👎 아니에요")):
        if column.button(label, key=f"rate-{turn}-{rating}"):
            try:
                state.client().post(
                    "/v1/feedback",
                    {
                        "session_id": st.session_state.session_id,
                        "turn": turn,
                        "rating": rating,
                        "comment": comment,
                    },
                )
            except ApiProblem as error:
                st.error(error.message)
            else:
                rated[turn] = rating
                st.rerun()


def show_answer(result: dict[str, Any], asked: str, turn: int) -> None:
    """A served answer; `turn` is its 0-based place in the session (for feedback)."""
    if result.get("question") and result["question"] != asked:
        st.caption(f"질문을 이렇게 이해했습니다: {escape(result['question'])}")
    with st.container(key=f"answer-{turn}"):
        st.markdown(answer_markdown(result))
    if result["refused"] and result.get("refusal_reason"):
        st.caption(escape(result["refusal_reason"]))
    score = result["consistency"]["score"]
    if score is not None:
        st.caption(f"근거 일치도: {score:.0%}")
    _sentence_checks(result)
    for citation in result["citations"]:
        citation_card(result, citation, str(turn))
    if result["refused"] and result["passages"] and not result["citations"]:
        with st.expander("가장 가까운 문서 내용"):
            for p in result["passages"][:3]:
                st.markdown(f"**{escape(p['document'])}** {escape(p['section'])}")
                st.text(p["text"][:300])
    with st.expander("답변 복사"):
        st.code(result["answer"], language=None)
    _feedback(turn)
