"""Savings & scenarios: the what-if controls and the projected savings (low / base / high), per
workload, and the hybrid scenario (hardest workloads stay, the rest move)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from app.dashboard.data import analysis
from app.dashboard.ui import chart_frame, money, plain, welcome_if_empty
from ingest import settings
from ingest.errors import RightsizeError
from queries.model_table import Policy
from queries.rightsizing import Scenario

st.title("Savings & scenarios")
if not welcome_if_empty():
    with st.sidebar:
        policy_text = st.text_input("Candidate policy", key="s_policy",
                                    help="e.g. providers=openai,anthropic; same_provider; open_weight; "
                                         "exclude=gpt-5-nano; min_tier=mid")
        tolerance = st.slider("Tolerance (score points)", 0.0, 0.2, 0.0, 0.01, key="s_tolerance")
        escalation = st.slider("Escalation rate", 0.0, 0.5, 0.0, 0.01, key="s_escalation",
                               help="Share of moved requests retried on the current model (both paid).")
        tokenizer = st.slider("Tokenizer factor", 0.8, 1.5, 1.0, 0.05, key="s_tokenizer")
        growth = st.slider("Traffic growth", -0.5, 2.0, 0.0, 0.05, key="s_growth")
        threshold = st.slider("Move threshold (eligible share)", 0.5, 1.0, 0.9, 0.01, key="s_threshold")
    try:
        policy = Policy.parse(policy_text)
    except RightsizeError as exc:
        st.error(plain(exc))
        st.stop()
    sc = Scenario(key=str(settings.get("workload_key")), policy=policy, tolerance=tolerance, escalation=escalation,
                  tokenizer_factor=tokenizer, growth=growth, move_threshold=threshold)
    a = analysis(sc)
    t = a.totals
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Current cost", money(t["current_cost"]))
    c2.metric("Projected cost", money(t["projected_cost"]))
    c3.metric("Savings (base)", money(t["savings"]), help=f"{t['savings_share']:.1%} of current cost")
    c4.metric("Savings low – high", f"{t['savings_low']:,.2f} – {t['savings_high']:,.2f} USD")
    st.caption(f"Basis: {t['basis']['evidence']} workloads on evidence, {t['basis']['prior']} on the prior; "
               f"{t['unpriced_requests']:,} unpriced requests are left out, never counted as $0.")
    w = a.workloads.filter(a.workloads["savings"].fill_null(0) != 0)
    if w.height:
        fig = px.bar(chart_frame(w.sort("savings", descending=True)).to_pandas(), x="workload", y="savings",
                     error_y=(w.sort("savings", descending=True)["savings_high"]
                              - w.sort("savings", descending=True)["savings"]).to_list(),
                     color="basis", hover_data=["current_model", "candidate_model", "eligible_share"])
        st.plotly_chart(fig, width="stretch")
    st.dataframe(a.workloads.select("workload", "current_model", "candidate_model", "eligible_share", "basis",
                                    "current_cost", "projected_cost", "savings", "savings_low", "savings_high"),
                 hide_index=True, width="stretch")
    st.subheader("Hybrid scenario")
    h = a.hybrid
    st.metric("Hybrid", h["summary"], help="Hardest workloads stay on their current model, the rest move whole.")
    c1, c2 = st.columns(2)
    c1.write("**Move**")
    c1.text(", ".join(h["move"]) or "none")
    c2.write("**Stay on the current model**")
    c2.text(", ".join(h["stay_on_current"]) or "none")
