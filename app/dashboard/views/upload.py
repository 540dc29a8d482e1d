"""Upload: drop several files (billing exports, request logs, eval results, price files), see each
one's detected format and header before loading, load with a progress bar, read each file's result
(rows, rejects with line and reason, duplicates skipped), and keep an ingest history where a file's
rows can be removed.

Bytes never touch a path named by the user (ingest/uploads.py); the size limit is the
``upload_max_mb`` setting (Streamlit's own ``server.maxUploadSize`` is set from it by `rightsize serve`).
"""

from __future__ import annotations

import streamlit as st

from app.dashboard.data import query, write
from app.dashboard.ui import plain
from ingest import remove_file, settings
from ingest.errors import RightsizeError
from ingest.mapping import parse_map, save_mapping
from ingest.uploads import ingest_upload, preview
from queries.dashboard import ingest_history, ingest_rejects, saved_mappings

st.title("Upload")
st.caption(f"Billing exports (FOCUS, OpenAI, Anthropic, AWS CUR, Azure, GCP), request logs (LiteLLM, Langfuse, "
           f"OpenTelemetry, OpenRouter, Helicone, generic CSV), eval results and price files. Up to {settings.get('upload_max_mb')} MB per file; "
           "the format is detected from the content.")
files = st.file_uploader("Drop files here", accept_multiple_files=True, key="u_files")

mapping: dict[str, str] | None = None
with st.expander("An in-house request log? Map its columns"):
    saved = query(saved_mappings)
    none = "(none: detect the format)"
    pick = st.selectbox("Saved mapping", [none, *saved], key="u_map_pick")
    spec = st.text_input("Or name the columns, TARGET=HEADER comma-separated", key="u_map_spec",
                         placeholder="ts=created,model=engine,input_tokens=prompt_tok,output_tokens=completion_tok")
    save_as = st.text_input("Save this mapping as (optional)", key="u_map_name")
    st.caption("Targets are the `requests` view's columns (docs/store.md); `tags.NAME` adds a column to the tags. "
               "Input tokens include cached ones, as OpenAI counts them.")
    try:
        mapping = parse_map(spec) if spec.strip() else saved.get(pick)
    except RightsizeError as exc:
        st.error(plain(exc))
        mapping = None
        spec = ""
options = {"map": mapping} if mapping else None
if files:
    for f in files:
        try:
            p = preview(f.getvalue(), f.name, format="generic" if mapping else None)
            st.text(f"{p['file']}: {p['format']} ({p['kind']}, {p['container']}), {len(p['columns'])} columns")
            if p["columns"]:
                st.text("header: " + ", ".join(str(c) for c in p["columns"][:20]))
        except RightsizeError as exc:
            st.error(plain(exc))
    if st.button(f"Load {len(files)} file(s)", type="primary", key="u_load"):
        if mapping and spec.strip() and save_as.strip():
            write(save_mapping, save_as.strip(), mapping)
        bar = st.progress(0.0, text="loading ...")
        results = []
        for i, f in enumerate(files, 1):
            bar.progress((i - 1) / len(files), text=f"loading {f.name} ({i}/{len(files)}) ...")
            results.append(write(ingest_upload, f.getvalue(), f.name, options=options))
        bar.progress(1.0, text="done")
        st.session_state["u_results"] = [r.as_dict() for r in results]
for r in st.session_state.get("u_results", []):
    if r["status"] == "failed":
        st.error(plain(f"{r['file']}: {r['error']}"))
    else:
        st.success(plain(f"{r['file']}: {r['status']} as {r['format']}: {r['rows']:,} rows, "
                         f"{r['rejected']:,} rejected, {r['duplicates']:,} duplicates skipped"))
        if r["rejected"] or r["warned"]:
            st.dataframe(query(ingest_rejects, r["source_file_id"]), hide_index=True, width="stretch")

st.subheader("Ingest history")
hist = query(ingest_history)
if hist.is_empty():
    st.caption("Nothing loaded yet.")
else:
    st.dataframe(hist, hide_index=True, width="stretch")
    loaded = hist.filter(hist["status"] == "loaded")
    if loaded.height:
        labels = {f"{r['id']}: {r['name']} ({r['rows_loaded']:,} rows)": r["id"] for r in loaded.to_dicts()}
        pick = st.selectbox("Remove a file's rows", list(labels), key="u_remove_pick")
        if st.button("Remove", key="u_remove"):
            n = write(remove_file, labels[pick])
            st.session_state["u_removed"] = f"removed {n:,} rows of {pick}"
            st.rerun()
if st.session_state.get("u_removed"):
    st.info(plain(st.session_state["u_removed"]))
