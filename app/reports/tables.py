"""The two plain CSVs: the workload table (what could move, to what, saving how much) and billed
spend by month, provider, model and team. Text from user data is neutralized (formula injection);
numbers are written as the queries return them (DECIMAL money stays exact)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from app.reports.safe import neutralize_frame
from app.reports.xlsx import WORKLOAD_COLUMNS
from queries.reports import period_bounds
from queries.rightsizing import Scenario, analyse
from queries.spend import spend_by

SPEND_CSV_BY = ["month", "provider", "model", "team"]


def write_workloads_csv(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    """The workload table of ``period`` (every team: request logs carry no bill team tag)."""
    start, end = period_bounds(period)
    w = analyse(con, Scenario(start=str(start), end=str(end))).workloads
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralize_frame(w.select([c for c in WORKLOAD_COLUMNS if c in w.columns])).write_csv(out)
    return out


def write_spend_csv(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    """Billed spend of ``period`` (and ``team``) by month, provider, model and team, with currency."""
    start, end = period_bounds(period)
    df = spend_by(con, SPEND_CSV_BY, start=str(start), end=str(end), team=team)
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralize_frame(df).write_csv(out)
    return out
