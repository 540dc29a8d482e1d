"""Spend explorer: filters and a group-by over the bill, a stacked time series, a table, unit costs
from the request logs and the token-type breakdown (what caching saved).

The feature filter applies to the request-log figures only: bills do not carry features."""

from __future__ import annotations

import plotly.express as px
import polars as pl
import streamlit as st

from app.dashboard.data import query
from app.dashboard.ui import bounds, chart_frame, money, plain, welcome_if_empty
from queries.dashboard import (
    REQUEST_DIMENSIONS,
    distinct_values,
    main_currency,
    request_units,
    request_users,
    tag_keys,
    token_types,
)
from queries.spend import BILLING_DIMENSIONS, spend_by

st.title("Spend explorer")
if not welcome_if_empty():
    b = bounds()
    first = b["billing_first"] or b["requests_first"]
    last = b["billing_last"] or b["requests_last"]
    with st.sidebar:
        period = st.date_input("Date range", value=(first, last), key="x_period")
        start, end_incl = (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (first, last)
        provider = st.selectbox("Provider", ["(all)", *query(distinct_values, "provider")], key="x_provider")
        model = st.selectbox("Model", ["(all)", *query(distinct_values, "model")], key="x_model")
        team = st.selectbox("Team", ["(all)", *query(distinct_values, "team")], key="x_team")
        feature = st.selectbox("Feature (request logs)", ["(all)", *query(distinct_values, "feature")],
                               key="x_feature")
        tag_key = st.selectbox("Tag key", ["(none)", *query(tag_keys)], key="x_tag_key")
        tag_value = st.text_input("Tag value (empty: any)", key="x_tag_value") if tag_key != "(none)" else ""
    group = st.selectbox("Group by", [d for d in BILLING_DIMENSIONS if d not in ("day", "month")], key="x_group")

    def pick(v: str) -> str | None:
        return None if v in ("(all)", "(none)") else v

    from datetime import timedelta
    end = end_incl + timedelta(days=1)
    f = {"start": start, "end": end, "provider": pick(provider), "model": pick(model), "team": pick(team),
         "tag_key": pick(tag_key), "tag_value": tag_value or None}
    table = query(spend_by, [group], **f)
    total = table.group_by("currency").agg(pl.col("billed_cost").sum()).sort("billed_cost", descending=True)
    totals = total.to_dicts() or [{"currency": query(main_currency), "billed_cost": 0}]
    for c, row in zip(st.columns(len(totals)), totals, strict=True):
        c.metric(f"Billed ({plain(row['currency'])})", money(row["billed_cost"], row["currency"]))
    if table.is_empty():
        st.caption("No billed spend matches these filters.")
    else:
        series = query(spend_by, ["day", group], **f)
        fig = px.bar(chart_frame(series.with_columns(pl.col("billed_cost").cast(pl.Float64)).sort("day")).to_pandas(),
                     x="day", y="billed_cost", color=group, labels={"billed_cost": "billed"})
        fig.update_layout(barmode="stack")
        st.plotly_chart(fig, width="stretch")
        st.dataframe(table, hide_index=True, width="stretch")

    st.subheader("Unit costs (request logs, our prices)")
    rf = {"start": start, "end": end, "provider": None, "model": pick(model), "team": pick(team),
          "feature": pick(feature)}
    rgroup = group if group in REQUEST_DIMENSIONS else "model"
    units = query(request_units, [rgroup], **rf)
    users = query(request_users, **rf)
    tot = query(request_units, [], **rf).to_dicts()
    t = tot[0] if tot else {}
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Requests", f"{int(t.get('requests') or 0):,}")
    c2.metric("Cost per request", money(t.get("cost_per_request"), digits=5))
    c3.metric("Cost per 1K tokens", money(t.get("cost_per_1k_tokens"), digits=5))
    c4.metric("Cost per user", money(users["cost_per_user"], digits=4), help=f"{users['users']:,} distinct users")
    st.dataframe(units, hide_index=True, width="stretch")

    st.subheader("Token types (billed) and what caching saved")
    tt = query(token_types, start, end, pick(provider), pick(model))
    if tt.is_empty():
        st.caption("No billed token lines match these filters.")
    else:
        saved = tt["cache_saved"].fill_null(0).sum()
        st.metric("Saved by prompt caching", money(saved),
                  help="Cache-read tokens priced at the model's own billed input rate, less what they cost.")
        by_type = tt.group_by("token_type").agg(pl.col("billed_cost").cast(pl.Float64).sum())
        st.plotly_chart(px.pie(chart_frame(by_type).to_pandas(), names="token_type", values="billed_cost"),
                        width="stretch")
        st.dataframe(tt, hide_index=True, width="stretch")
