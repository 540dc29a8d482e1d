"""The 80/20 test: can 80% of workloads move to models 99% cheaper? The thesis metrics with their
intervals, the share-movable vs price-reduction curve, the verdict, and the evidence behind it."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app.dashboard.data import analysis
from app.dashboard.ui import share, welcome_if_empty
from ingest import settings
from queries.rightsizing import Scenario

st.title("The 80/20 test")
if not welcome_if_empty():
    threshold = st.slider("Eligible share a workload needs to count as movable", 0.5, 1.0, 0.9, 0.01,
                          key="t_threshold")
    a = analysis(Scenario(key=str(settings.get("workload_key")), move_threshold=threshold))
    th = a.thesis
    if th.get("holds") is None:
        st.warning(th["verdict"])
    elif th["holds"]:
        st.success(th["verdict"])
    else:
        st.warning(th["verdict"])
    if "share_workloads_movable_99" in th:
        c1, c2, c3 = st.columns(3)
        c1.metric("Workloads movable to ≥99% cheaper", share(th["share_workloads_movable_99"]),
                  help=f"interval {share(th['share_workloads_movable_99_low'])} – "
                       f"{share(th['share_workloads_movable_99_high'])}")
        c2.metric("Spend movable to ≥99% cheaper", share(th["share_spend_movable_99"]))
        c3.metric("Spend movable to ≥90% cheaper", share(th["share_spend_movable_90"]))
    cv = a.curve
    if cv.height:
        fig = go.Figure()
        x = cv["price_reduction"].to_list()
        fig.add_trace(go.Scatter(x=x, y=cv["share_spend_movable_high"].to_list(), line={"width": 0},
                                 showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=cv["share_spend_movable_low"].to_list(), fill="tonexty", line={"width": 0},
                                 name="spend interval"))
        fig.add_trace(go.Scatter(x=x, y=cv["share_spend_movable"].to_list(), name="share of spend movable"))
        fig.add_trace(go.Scatter(x=x, y=cv["share_workloads_movable"].to_list(), name="share of workloads movable"))
        fig.update_layout(xaxis_title="price reduction", yaxis_title="share eligible", xaxis_tickformat=".0%",
                          yaxis_tickformat=".0%")
        st.plotly_chart(fig, width="stretch")
    st.subheader("What the verdict rests on")
    basis = th.get("basis", {})
    st.write(f"{basis.get('evidence', 0)} workloads on eval evidence, {basis.get('prior', 0)} on the prior rules.")
    if a.quality.height:
        st.dataframe(a.quality, hide_index=True, width="stretch")
    with st.expander("Prior rules"):
        st.dataframe(a.rules, hide_index=True, width="stretch")
