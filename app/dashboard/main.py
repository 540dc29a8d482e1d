"""The dashboard's entry: a router over one file per page (app/dashboard/views/).

Pages are thin: they read widgets, call ``queries`` through ``app.dashboard.data.query`` (cached,
read-only, short-lived connections) and render Plotly charts. No page renders before ``gate()``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.dashboard.auth import gate
from ingest.errors import StoreBusy

st.set_page_config(page_title="rightsize", layout="wide")
gate()
VIEWS = Path(__file__).resolve().parent / "views"
PAGES: list[tuple[str, str]] = [
    ("overview.py", "Overview"),
    ("upload.py", "Upload"),
    ("explorer.py", "Spend explorer"),
    ("reconciliation.py", "Reconciliation"),
    ("workloads.py", "Workloads"),
    ("savings.py", "Savings & scenarios"),
    ("thesis.py", "The 80/20 test"),
    ("reports.py", "Reports"),
    ("settings.py", "Prices & settings"),
]
pages = [st.Page(str(VIEWS / f), title=t, default=(i == 0), url_path=f.removesuffix(".py"))
         for i, (f, t) in enumerate(PAGES)]
try:
    st.navigation(pages).run()
except StoreBusy as exc:  # `rightsize ingest` is loading a big file: say so instead of a traceback
    st.warning(f"{exc}. This page shows the new data once the load is done.")
    st.button("Try again")
