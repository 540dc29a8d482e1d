"""Reconciliation: request logs against the bill per provider, model and day (or month), and the
gap split into named causes that add up to it (queries/reconcile.py)."""

from __future__ import annotations

from datetime import timedelta

import plotly.express as px
import polars as pl
import streamlit as st

from app.dashboard.data import query
from app.dashboard.ui import bounds, chart_frame, money, plain, welcome_if_empty
from queries.reconcile import reconciliation

st.title("Reconciliation")
if not welcome_if_empty():
    b = bounds()
    first = b["billing_first"] or b["requests_first"]
    last = b["billing_last"] or b["requests_last"]
    period = st.date_input("Date range", value=(first, last), key="r_period")
    start, end_incl = (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (first, last)
    s, e = start.isoformat(), (end_incl + timedelta(days=1)).isoformat()
    grain = st.radio("Grain", ["day", "month"], horizontal=True, key="r_grain")
    page = query(reconciliation, s, e, grain)
    sm = page["summary"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Billed", money(sm["billed"]))
    c2.metric("Logged", money(sm["logged"]))
    c3.metric("Our price of the requests", money(sm["request_cost"]))
    c4.metric("Gap (billed − logged)", money(sm["gap"]))
    causes = page["causes"]
    if causes.height:
        st.subheader("The gap by cause")
        fig = px.bar(chart_frame(causes.with_columns(pl.col("amount").cast(pl.Float64))).to_pandas(), x="amount", y="cause",
                     orientation="h", hover_data=["note"])
        st.plotly_chart(fig, width="stretch")
        st.dataframe(causes, hide_index=True, width="stretch")
    for u in sm["unbilled"]:
        st.caption(plain(f"Not reconciled (no bill loaded): {u['provider']}, {u['requests']:,} requests"))
    st.subheader(f"Logs vs bill per provider, model and {grain}")
    st.dataframe(page["table"], hide_index=True, width="stretch")
