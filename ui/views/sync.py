"""Console for administrators: start a sync of the configured sources and read the reports,
with every file that was not unchanged and its reason."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import state
from ui.api_client import ApiProblem


def _files(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for source in report.get("sources", []):
        if "error" in source:
            rows.append({"path": source["path"], "status": "error", "reason": source["error"]})
        for file in source.get("files", []):
            rows.append(
                {
                    "path": file.get("path"),
                    "status": file.get("status"),
                    "reason": file.get("reason") or "",
                    "message": file.get("message") or "",
                    "chunks": file.get("chunks"),
                }
            )
    return rows


def page() -> None:
    st.title("동기화")
    rebuild = st.checkbox("새 컬렉션으로 전체 다시 색인 (rebuild)", key="rebuild")
    if st.button("지금 동기화", key="sync-now", type="primary"):
        try:
            state.client().post("/v1/sync", params={"rebuild": str(rebuild).lower()})
            st.success("동기화를 시작했습니다. 끝나면 아래에 보고서가 나타납니다.")
        except ApiProblem as error:
            st.error(error.message)
    try:
        reports = state.client().get("/v1/sync/reports", limit=20)["reports"]
    except ApiProblem as error:
        st.error(error.message)
        return
    if not reports:
        st.caption("아직 동기화 보고서가 없습니다.")
    for report in reports:
        counts = ", ".join(f"{k} {v}" for k, v in (report.get("counts") or {}).items() if v)
        title = f"{report.get('started_at', '')} — {counts or '변경 없음'}"
        with st.expander(title):
            st.caption(f"{report.get('seconds', 0)}초")
            rows = _files(report)
            if rows:
                st.dataframe(rows, hide_index=True)
            else:
                st.caption("바뀐 파일이 없습니다.")


page()
