"""The chat and the console in one Streamlit app, over the API's HTTP routes only.

Run: streamlit run ui/app.py  (the API must be running; KDOCQA_API_URL points at it)
Pages follow the logged-in key's role: everyone gets the chat, editors also the documents
console, administrators also sync and administration. A page the role lacks is not in the
navigation at all, so its URL falls back to the chat.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui import state
from ui.login import login_form, sidebar_identity

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="사내 문서 질의응답", page_icon="📄", layout="wide")

if state.me() is None:
    login_form()
else:
    pages = [st.Page(VIEWS / "chat.py", title="질의응답", icon="💬", url_path="chat", default=True)]
    if state.has_role("editor"):
        pages.append(
            st.Page(VIEWS / "documents.py", title="문서 관리", icon="📁", url_path="documents")
        )
    if state.has_role("admin"):
        pages.append(st.Page(VIEWS / "sync.py", title="동기화", icon="🔄", url_path="sync"))
        pages.append(st.Page(VIEWS / "admin.py", title="관리", icon="🔑", url_path="admin"))
    sidebar_identity()
    st.navigation(pages).run()
