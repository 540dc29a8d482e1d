"""Reports: pick a period and a scope, then download any registered report format. The page lists
``app.reports.FORMATS`` as it is, so a writer added to the registry appears here with no change."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app.dashboard.data import query
from app.dashboard.ui import bounds, plain, welcome_if_empty
from app.reports import FORMATS
from ingest.errors import RightsizeError
from queries.dashboard import distinct_values
from queries.reports import period_bounds

st.title("Reports")
if not welcome_if_empty():
    b = bounds()
    last = b["billing_last"] or b["requests_last"]
    period = st.text_input("Period (YYYY-MM, YYYY-Qn or YYYY)", value=f"{last:%Y-%m}", key="rep_period")
    team = st.selectbox("Scope", ["(all teams)", *query(distinct_values, "team")], key="rep_team")
    scope = None if team == "(all teams)" else team
    for name, fmt in FORMATS.items():
        c1, c2 = st.columns([3, 1])
        c1.write(f"**{name}** ({fmt.suffix}): {fmt.description}")
        if c2.button(f"Build {name}", key=f"rep_build_{name}"):
            import ingest
            from app.dashboard.data import db_target

            con = ingest.connect(db_target(), read_only=True)
            try:
                # the period is checked before it names the file: a typed "../x" never becomes a path
                p = period.strip()
                period_bounds(p)
                out = Path(tempfile.mkdtemp(prefix="rightsize-report-")) / f"rightsize-{p}-{name}{fmt.suffix}"
                written = fmt.write(con, p, scope, out)
                st.session_state[f"rep_file_{name}"] = (written.name, written.read_bytes())
            except RightsizeError as exc:
                st.error(plain(exc))
            finally:
                con.close()
        built = st.session_state.get(f"rep_file_{name}")
        if built:
            c2.download_button(f"Download {built[0]}", data=built[1], file_name=built[0], key=f"rep_dl_{name}")
