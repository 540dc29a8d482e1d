"""What the report writers (app/reports) read: periods, and the billing table as FOCUS 1.2 rows."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import polars as pl

from ingest.errors import QueryError
from queries import run_named


def period_bounds(period: str) -> tuple[date, date]:
    """``2026-10`` -> (2026-10-01, 2026-11-01); ``2026`` -> the year; ``2026-Q4`` -> the quarter.
    The end is exclusive."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise QueryError(f"period {period!r}: month must be 01-12")
        return date(y, mo, 1), date(y + (mo == 12), mo % 12 + 1, 1)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", period):
        y, q = int(m[1]), int(m[2])
        start = date(y, 3 * q - 2, 1)
        return start, (date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1))
    if m := re.fullmatch(r"(\d{4})", period):
        return date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1)
    raise QueryError(f"period {period!r}: use YYYY-MM, YYYY-Qn or YYYY")


def focus_rows(con: duckdb.DuckDBPyConnection, period: str, team: str | None = None) -> pl.DataFrame:
    """Billed lines of ``period`` as FOCUS 1.2 columns (plus x_ AI columns), one row per line."""
    start, end = period_bounds(period)
    return run_named(con, "focus_export", {"start": str(start), "end": str(end), "team": team})
