"""Which prices were used: the ``prices`` view (docs/store.md) narrowed to the prices that priced
requests in a period, one row per token type (for the reports' Prices sheet and the dashboard)."""

from __future__ import annotations

import duckdb
import polars as pl

from queries import run_named
from queries.spend import as_date


def prices_used(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None) -> pl.DataFrame:
    """model, provider, service_tier, token_type, usd_per_mtok, source, catalog_version,
    effective_from, effective_to, overrides, tiers, usd_per_hour, requests, basis."""
    return run_named(con, "prices_used", {"start": as_date(start, "start") or "1970-01-01",
                                          "end": as_date(end, "end") or "2200-01-01"})
