"""Console for editors: upload files (several at once, with progress) and the document list
of a knowledge base with status, chunks and last indexed, delete and re-index."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import state
from ui.api_client import ApiProblem

STATUS = {"added": "추가됨", "updated": "갱신됨", "moved": "옮겨짐", "unchanged": "변경 없음"}


def _upload(knowledge_base: str) -> None:
    st.subheader("문서 올리기")
    files = st.file_uploader(
        "파일 (PDF, DOCX, PPTX, XLSX, HWP/HWPX, MD, TXT)", accept_multiple_files=True, key="files"
    )
    groups = st.text_input(
        "접근 그룹 (쉼표로 구분, 비우면 내 그룹)", key="upload-groups", help="전체 공개는 *"
    )
    if not st.button("올리기", key="upload", type="primary", disabled=not files):
        return
    progress = st.progress(0.0, text="올리는 중…")
    for done, file in enumerate(files or [], start=1):
        try:
            outcome = state.client().upload(
                file.name, file.getvalue(), knowledge_base, groups.strip() or None
            )
        except ApiProblem as error:
            st.error(f"{file.name}: {error.message}")
        else:
            status = STATUS.get(outcome["status"], outcome["status"])
            st.success(f"{outcome['file']}: {status} (조각 {outcome['chunks']}개)")
        progress.progress(done / len(files or [1]), text=f"{done}/{len(files or [])}")


def _documents(knowledge_base: str) -> list[dict[str, Any]] | None:
    try:
        listed: list[dict[str, Any]] = state.client().get(
            "/v1/documents", knowledge_base=knowledge_base
        )["documents"]
    except ApiProblem as error:
        if error.missing_route:
            st.info("이 API는 아직 문서 목록을 제공하지 않습니다.")
        else:
            st.error(error.message)
        return None
    return listed


def _document_list(knowledge_base: str) -> None:
    st.subheader("문서 목록")
    documents = _documents(knowledge_base)
    if documents is None:
        return
    if not documents:
        st.caption("이 지식베이스에는 아직 문서가 없습니다.")
        return
    columns = ["file_name", "status", "chunks", "pages", "groups", "last_indexed"]
    st.dataframe([{c: d.get(c) for c in columns} for d in documents], hide_index=True)
    names = {d["file_name"]: d["id"] for d in documents}
    chosen = st.selectbox("문서", list(names), key="document")
    left, right, _ = st.columns([1, 1, 3])
    try:
        if left.button("다시 색인", key="reindex"):
            state.client().post(f"/v1/documents/{names[chosen]}/reindex")
            st.success(f"{chosen}: 다시 색인했습니다.")
        if right.button("삭제", key="delete-document"):
            state.client().delete(f"/v1/documents/{names[chosen]}")
            st.success(f"{chosen}: 삭제했습니다.")
            st.rerun()
    except ApiProblem as error:
        st.error(error.message)


def page() -> None:
    st.title("문서 관리")
    bases = state.readable_knowledge_bases()
    knowledge_base = st.selectbox(
        "지식베이스", bases, key="console-kb", accept_new_options=True, index=0 if bases else None
    )
    if not knowledge_base:
        st.caption("지식베이스 이름을 입력하세요.")
        return
    _upload(str(knowledge_base))
    _document_list(str(knowledge_base))


page()
