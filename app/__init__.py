"""The display layer: the Streamlit dashboard, the CLI and the report writers. They only call
``ingest`` and ``queries`` and render what those return."""
