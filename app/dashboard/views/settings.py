"""Prices & settings: the effective price table with sources and dates, your price overrides, the
model table (tiers, capabilities), workload key rules and the settings (currency among them)."""

from __future__ import annotations

import streamlit as st

from app.dashboard.data import query
from ingest import settings
from queries.dashboard import price_overrides, prices_table
from queries.model_table import model_table
from queries.workloads import workload_rules

st.title("Prices & settings")
from ingest.prices import catalog_version  # noqa: E402 - after the title so a slow import shows the page

st.caption(f"Price catalog: genai-prices {catalog_version()}. Request costs use these rows; "
           "`rightsize reprice` applies a new catalog or price file to stored requests.")
st.subheader("Effective prices (USD per 1M tokens)")
pt = query(prices_table)
if pt.is_empty():
    st.caption("No requests priced yet: prices appear once request logs are loaded.")
else:
    src = st.multiselect("Source", sorted(set(pt["source"].to_list())), key="p_source")
    st.dataframe(pt.filter(pt["source"].is_in(src)) if src else pt, hide_index=True, width="stretch")
st.subheader("Your overrides (price files)")
ov = query(price_overrides)
if ov.is_empty():
    st.caption("None loaded. Upload a price file (TOML/CSV of contract prices or discounts) on the Upload page.")
else:
    st.dataframe(ov, hide_index=True, width="stretch")
st.subheader("Model table")
st.dataframe(model_table(str(settings.get("model_file")) or None), hide_index=True, width="stretch")
st.subheader("Workload key rules")
rules = query(workload_rules)
st.caption(f"Default workload key: `{settings.get('workload_key')}`.")
if rules.height:
    st.dataframe(rules, hide_index=True, width="stretch")
st.subheader("Settings")
st.dataframe([{"setting": s.name, "value": str(settings.get(s.name)) if s.name != "password_sha256" else "(hidden)",
               "default": str(s.default), "help": s.help} for s in settings.SETTINGS.values()],
             hide_index=True, width="stretch")
