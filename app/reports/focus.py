"""The FOCUS 1.2 export: the billing table for a period as a CSV any FOCUS tool reads."""

from __future__ import annotations

from pathlib import Path

import duckdb

from app.reports.safe import neutralize_frame
from queries.reports import focus_rows


def write_focus(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    df = neutralize_frame(focus_rows(con, period, team))
    out.parent.mkdir(parents=True, exist_ok=True)
    df.write_csv(out)
    return out
