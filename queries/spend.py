"""Spend from the ``billing`` view: totals by any whitelisted dimension."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl

from ingest.errors import QueryError
from queries import run_named

# Group-by names a user may choose, and the SQL each one means. Nothing else reaches the SQL text.
BILLING_DIMENSIONS: dict[str, str] = {
    "provider": "ProviderName",
    "publisher": "PublisherName",
    "service": "ServiceName",
    "model": "coalesce(x_Model, '(not a model)')",
    "token_type": "coalesce(x_TokenType, '(not tokens)')",
    "tier": "x_ServiceTier",
    "account": "coalesce(SubAccountName, SubAccountId)",
    "region": "RegionId",
    "category": "ChargeCategory",
    "service_category": "ServiceCategory",
    "team": "coalesce(Tags->>'team', Tags->>'Team', '(untagged)')",
    "month": "strftime(date_trunc('month', ChargePeriodStart), '%Y-%m')",
    "day": "CAST(ChargePeriodStart AS DATE)",
    "source_file": "x_SourceFile",
}


def dimension_sql(by: list[str], allowed: dict[str, str]) -> str:
    """``expr AS name, `` for each chosen dimension, after checking it against the whitelist."""
    unknown = [b for b in by if b not in allowed]
    if unknown:
        raise QueryError(f"cannot group by {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return "".join(f"{allowed[b]} AS {b}, " for b in by)


def as_date(value: date | datetime | str | None, what: str) -> str | None:
    """An ISO date or timestamp string, checked, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    try:
        return datetime.fromisoformat(value.strip()).isoformat()
    except ValueError:
        shown = value if len(value) <= 80 else value[:80] + "…"
        raise QueryError(f"{what} {shown!r} is not a date; use YYYY-MM-DD") from None


def spend_by(con: duckdb.DuckDBPyConnection, by: list[str] | None = None,
             start: date | datetime | str | None = None, end: date | datetime | str | None = None,
             provider: str | None = None, model: str | None = None, team: str | None = None,
             tag_key: str | None = None, tag_value: str | None = None) -> pl.DataFrame:
    """Billed, effective and list cost (and tokens) per chosen dimensions and currency.
    ``start`` is inclusive, ``end`` exclusive, on ChargePeriodStart. Filters are exact matches on the
    group-by meanings (``model`` "(not a model)", ``team`` "(untagged)" select those rows); a
    ``tag_key`` with no ``tag_value`` keeps lines that carry the tag at all."""
    by = by or []
    return run_named(
        con, "spend",
        {"start": as_date(start, "start"), "end": as_date(end, "end"), "provider": provider or None,
         "model": model or None, "team": team or None, "tag_key": tag_key or None, "tag_value": tag_value or None},
        dims=", ".join(by) or "none", dims_select=dimension_sql(by, BILLING_DIMENSIONS),
    )
