"""Overview: spend by provider. (The full overview arrives with the dashboard issue.)"""

from __future__ import annotations

import streamlit as st

from app.dashboard.data import query
from queries.spend import spend_by

st.title("rightsize")
df = query(spend_by, ["provider"])
if df.is_empty():
    st.info("The store is empty. Load the sample company with `rightsize demo`, or load your "
            "exports with `rightsize ingest FILE…`.")
else:
    st.metric("Billed cost", f"{df['billed_cost'].sum():,.2f} {df['currency'][0]}")
    st.dataframe(df, hide_index=True)
