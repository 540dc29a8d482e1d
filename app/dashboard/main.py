"""The dashboard's entry: a router over one file per page (app/dashboard/views/)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.dashboard.auth import gate

st.set_page_config(page_title="rightsize", layout="wide")
gate()
VIEWS = Path(__file__).parent / "views"
pages = [
    st.Page(str(VIEWS / "overview.py"), title="Overview", default=True),
]
st.navigation(pages).run()
