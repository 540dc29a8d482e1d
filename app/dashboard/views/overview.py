"""Overview: month-to-date and last month, the run-rate forecast, change vs the same days last
month, top movers, unpriced and unreconciled shares, and spend over time."""

from __future__ import annotations

import plotly.express as px
import polars as pl
import streamlit as st

from app.dashboard.data import query
from app.dashboard.ui import bounds, chart_frame, chart_text, money, share, welcome_if_empty
from queries.dashboard import movers, overview
from queries.spend import spend_by

st.title("Overview")
if not welcome_if_empty():
    b = bounds()
    last = b["billing_last"] or b["requests_last"]
    as_of = st.date_input("As of (the last day counted)", value=last, key="as_of")
    o = query(overview, as_of)
    cur = o["currency"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"Month to date ({o['period_start']:%b %Y})", money(o["mtd"], cur),
              delta=None if o["change"] is None else f"{o['change']:+.1%} vs same days last month",
              delta_color="inverse")
    c2.metric("Last month", money(o["last_month"], cur))
    c3.metric(f"Forecast to month end ({o['days_elapsed']}/{o['days_in_month']} days)", money(o["forecast"], cur))
    c4.metric("Unpriced requests / unreconciled", f"{share(o['unpriced_share'])} / {share(o['unreconciled_share'])}",
              help="Share of this month's logged requests no price covers, and |bill − logged| / bill "
                   "(see Reconciliation).")
    st.subheader("Top movers")
    by = st.radio("Movers by", ["model", "team", "feature"], horizontal=True, key="movers_by")
    mv = query(movers, by, o["period_start"], o["period_end"], o["previous_start"],
               o["previous_start"] + (o["period_end"] - o["period_start"]))
    st.dataframe(mv, hide_index=True, width="stretch")
    st.subheader("Spend over time")
    dim = st.radio("Split by", ["provider", "model"], horizontal=True, key="series_by")
    series = query(spend_by, ["day", dim]).filter(pl.col("currency") == cur)
    if series.is_empty():
        st.caption("No billed spend yet.")
    else:
        fig = px.bar(chart_frame(series.with_columns(pl.col("billed_cost").cast(pl.Float64)).sort("day")).to_pandas(),
                     x="day", y="billed_cost", color=dim, labels={"billed_cost": chart_text(f"billed ({cur})")})
        st.plotly_chart(fig, width="stretch")
