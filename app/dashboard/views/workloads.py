"""Workloads: one row per workload (profile, current model, candidate, eligible share with its
interval, basis, monthly savings) and a detail view with the workload's quality-cost curve."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app.dashboard.data import analysis, curve, facts
from app.dashboard.ui import chart_text, plain, welcome_if_empty
from ingest import settings
from queries.rightsizing import Scenario

COLUMNS = ["workload", "requests", "current_model", "model_mix", "current_cost_per_month", "candidate_model",
           "candidate_tier", "eligible_share", "eligible_low", "eligible_high", "basis", "basis_detail",
           "savings_per_month", "reason"]

# The profile's percentiles are read from histograms kept at ingest (docs/methodology.md): the same
# column names, labelled as binned, with the bound in each column's help.
BOUND = "exact up to 1,024; above, within 0.4%"
BINNED = {c: st.column_config.NumberColumn(c.replace("_", " ").replace(" ms", " (ms)") + " ≈",
                                           help=f"Binned: {BOUND}" + (" (+0.0005 ms)" if c.endswith("_ms") else ""))
          for c in ("input_p50", "input_p95", "input_p99", "output_p50", "output_p95", "output_p99",
                    "latency_p50_ms", "latency_p95_ms")}

st.title("Workloads")
if not welcome_if_empty():
    sc = Scenario(key=str(settings.get("workload_key")))
    a = analysis(sc)
    w = a.workloads
    if w.is_empty():
        st.info("No workloads yet: workloads come from request logs (LiteLLM, Langfuse, a generic request CSV).")
    else:
        st.caption(f"{w.height} workloads, keyed by `{sc.key}`; prices: catalog {a.catalog_version or '–'}.")
        st.dataframe(w.select(COLUMNS), hide_index=True, width="stretch",
                     column_config={"eligible_share": st.column_config.NumberColumn(format="percent"),
                                    "eligible_low": st.column_config.NumberColumn(format="percent"),
                                    "eligible_high": st.column_config.NumberColumn(format="percent")})
        pick = st.selectbox("Workload detail", w["workload"].to_list(), key="w_pick")
        row = w.filter(w["workload"] == pick).to_dicts()[0]
        prof = facts(sc).profiles
        p = prof.filter(prof["workload"] == pick) if "workload" in prof.columns else prof.clear()
        st.subheader(plain(pick))
        c1, c2, c3 = st.columns(3)
        c1.metric("Current model", row["current_model"] or "–")
        c2.metric("Candidate", row["candidate_model"] or "stays")
        c3.metric("Savings per month", f"{row['savings_per_month'] or 0:,.2f} USD")
        if p.height:
            st.dataframe(p, hide_index=True, width="stretch", column_config=BINNED)
            st.caption(f"≈ percentiles are binned: {BOUND}. Over a period whose bounds have a time of day "
                       "they are exact.")
        qc = curve(sc, pick)
        if qc.height:
            fig = go.Figure()
            err_hi = (qc["eligible_high"] - qc["eligible_share"]).to_list()
            err_lo = (qc["eligible_share"] - qc["eligible_low"]).to_list()
            fig.add_trace(go.Scatter(x=qc["cost_ratio"].to_list(), y=qc["eligible_share"].to_list(),
                                     mode="markers+text", text=[chart_text(m) for m in qc["model"].to_list()],
                                     textposition="top center",
                                     error_y={"type": "data", "array": err_hi, "arrayminus": err_lo}))
            fig.update_layout(xaxis_title="cost relative to the current model", yaxis_title="eligible share",
                              yaxis_tickformat=".0%", xaxis_tickformat=".0%")
            st.plotly_chart(fig, width="stretch")
            st.caption("Quality-cost curve: each point is a model evals cover for this workload (plus the current "
                       "model at 100%); error bars are the 95% interval of the eligible share.")
        else:
            st.caption(plain(f"No eval evidence for this workload: its eligible share is the prior "
                             f"({row['basis_detail'] or 'rule'})."))
