"""What the dashboard pages ask that the CLI does not: the store's bounds, the overview's month
figures and movers, request unit costs, token-type breakdown, ingest history.

Special cases:
- "This month" is anchored at the last day with billed data (``as_of``), not the wall clock, so a
  store loaded with last quarter's exports still shows a month-to-date and a forecast.
- Money stays in one currency: the overview uses the store's main billing currency (the one with
  the most billed cost) and says which; other currencies are listed, never added.
- Unpriced requests are counted, never priced at 0; their share is shown as such.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from ingest.errors import QueryError
from queries import run_named
from queries.spend import as_date, dimension_sql, spend_by

# Group-bys over the daily request rollup.
REQUEST_DIMENSIONS: dict[str, str] = {
    "provider": "provider",
    "model": "coalesce(model, '(unknown)')",
    "team": "coalesce(team, '(untagged)')",
    "feature": "coalesce(feature, '(none)')",
    "app": "coalesce(app, '(none)')",
    "project": "coalesce(project, '(none)')",
    "service_tier": "coalesce(service_tier, 'standard')",
    "day": "day",
    "month": "strftime(date_trunc('month', day), '%Y-%m')",
}


def data_bounds(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """billing_lines, billing_first/last, requests, requests_first/last, files; ``empty`` when the
    store holds neither billed lines nor requests."""
    row = run_named(con, "data_bounds").to_dicts()[0]
    row["empty"] = not row["billing_lines"] and not row["requests"]
    return row


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _billed(con: duckdb.DuckDBPyConnection, start: date, end: date, currency: str) -> Decimal:
    df = spend_by(con, [], start=start, end=end)
    df = df.filter(pl.col("currency") == currency)
    return sum((v for v in df["billed_cost"].to_list() if v is not None), Decimal(0))


def main_currency(con: duckdb.DuckDBPyConnection) -> str:
    df = spend_by(con, [])
    if df.is_empty():
        return "USD"
    return str(df.sort("billed_cost", descending=True, nulls_last=True)["currency"][0])


def overview(con: duckdb.DuckDBPyConnection, as_of: date | str | None = None) -> dict[str, Any]:
    """Month-to-date and last month's billed cost, the run-rate forecast to month end, the change
    against the same days of last month, and the unpriced and unreconciled shares.

    ``as_of`` (inclusive) defaults to the last day with billed data. Periods are half-open:
    month-to-date is [first of month, as_of + 1 day). The forecast is MTD / days elapsed × days in
    the month (a straight run rate). The unreconciled share is |bill - logged| / bill over the
    month-to-date, from ``queries.reconcile.summary``.
    """
    bounds = data_bounds(con)
    if as_of is None or as_of == "":
        as_of = bounds["billing_last"] or bounds["requests_last"]
    if as_of is None:
        return {"empty": True}
    day = date.fromisoformat(str(as_date(as_of, "as_of"))[:10])
    currency = main_currency(con)
    start, end = month_start(day), day + timedelta(days=1)
    prev_start = add_months(start, -1)
    prev_same_end = add_months(start, -1) + (end - start)
    prev_same_end = min(prev_same_end, start)
    mtd = _billed(con, start, end, currency)
    last_month = _billed(con, prev_start, start, currency)
    prev_same = _billed(con, prev_start, prev_same_end, currency)
    days_in = calendar.monthrange(day.year, day.month)[1]
    elapsed = day.day
    forecast = mtd / elapsed * days_in if elapsed else Decimal(0)
    rec = _gap(con, start, end)
    units = request_units(con, [], start, end).to_dicts()
    reqs = int(units[0]["requests"] or 0) if units else 0
    unpriced = int(units[0]["unpriced_requests"] or 0) if units else 0
    billed = rec["billed"] or Decimal(0)
    return {
        "empty": False, "as_of": day, "currency": currency,
        "period_start": start, "period_end": end, "previous_start": prev_start,
        "mtd": mtd, "last_month": last_month, "previous_same_days": prev_same,
        "forecast": forecast, "days_elapsed": elapsed, "days_in_month": days_in,
        "change": (float(mtd / prev_same) - 1.0) if prev_same else None,
        "requests": reqs, "unpriced_requests": unpriced,
        "unpriced_share": unpriced / reqs if reqs else None,
        "unreconciled_share": float(abs(rec["gap"]) / billed) if billed else None,
        "gap": rec["gap"],
    }


def _gap(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Decimal]:
    """billed and gap (bill - logged, over billed providers) for [start, end): the two figures of
    ``queries.reconcile.summary`` the Overview shows, from one lean query (sql/overview_gap.sql). The
    summary prices every request of the period at catalog and tier prices to split the gap into
    causes; the Overview shows only its size, and that pricing was most of a filter change's time
    with a price file loaded (docs/performance.md, session 4). No bill line in the period: both 0,
    and the requests are not read."""
    from ingest.models import provider_key_sql

    row = run_named(con, "overview_gap", {"start": as_date(start, "start"), "end": as_date(end, "end")},
                    bill_provider=provider_key_sql("ProviderName"),
                    req_provider=provider_key_sql("provider")).to_dicts()[0]
    billed, logged = row["billed"] or Decimal(0), row["logged"] or Decimal(0)
    return {"billed": billed, "gap": billed - logged}


def movers(con: duckdb.DuckDBPyConnection, by: str, start: date, end: date, prev_start: date, prev_end: date,
           limit: int = 10) -> pl.DataFrame:
    """``by``, current, previous, change: the biggest movers between two periods. Model and team
    come from the bill (billed cost); feature, which bills do not carry, from the priced requests."""
    if by in ("feature",):
        cur = request_units(con, [by], start, end).select(by, pl.col("cost").alias("current"))
        prev = request_units(con, [by], prev_start, prev_end).select(by, pl.col("cost").alias("previous"))
    elif by in ("model", "team", "provider"):
        cur = spend_by(con, [by], start, end).select(by, pl.col("billed_cost").alias("current"))
        prev = spend_by(con, [by], prev_start, prev_end).select(by, pl.col("billed_cost").alias("previous"))
    else:
        raise QueryError(f"movers by {by!r}: choose from model, team, provider, feature")
    cur = cur.group_by(by).agg(pl.col("current").cast(pl.Float64).sum())
    prev = prev.group_by(by).agg(pl.col("previous").cast(pl.Float64).sum())
    df = cur.join(prev, on=by, how="full", coalesce=True).with_columns(
        pl.col("current").fill_null(0.0), pl.col("previous").fill_null(0.0))
    df = df.with_columns((pl.col("current") - pl.col("previous")).alias("change"))
    return df.sort(pl.col("change").abs(), descending=True).head(limit)


def _filters(start: Any, end: Any, provider: str | None, model: str | None, team: str | None,
             feature: str | None) -> dict[str, Any]:
    return {"start": as_date(start, "start"), "end": as_date(end, "end"), "provider": provider or None,
            "model": model or None, "team": team or None, "feature": feature or None}


def request_units(con: duckdb.DuckDBPyConnection, by: list[str] | None = None, start: Any = None, end: Any = None,
                  provider: str | None = None, model: str | None = None, team: str | None = None,
                  feature: str | None = None) -> pl.DataFrame:
    """Requests, tokens and our cost per chosen dimensions, with cost per request and per 1K tokens
    (over priced requests only: unpriced ones are excluded from the denominator)."""
    by = by or []
    df = run_named(con, "request_units", _filters(start, end, provider, model, team, feature),
                   dims_select=dimension_sql(by, REQUEST_DIMENSIONS))
    priced = (pl.col("requests") - pl.col("unpriced_requests")).cast(pl.Float64)
    tokens = (pl.col("input_tokens") + pl.col("output_tokens")).cast(pl.Float64)
    return df.with_columns(
        (pl.col("cost").cast(pl.Float64) / pl.when(priced > 0).then(priced)).alias("cost_per_request"),
        (pl.col("cost").cast(pl.Float64) * 1000 / pl.when(tokens > 0).then(tokens)).alias("cost_per_1k_tokens"),
    )


def request_users(con: duckdb.DuckDBPyConnection, start: Any = None, end: Any = None, provider: str | None = None,
                  model: str | None = None, team: str | None = None, feature: str | None = None) -> dict[str, Any]:
    """users, requests_with_user, cost_with_user and cost_per_user (None when no request names a user)."""
    row = run_named(con, "request_users", _filters(start, end, provider, model, team, feature)).to_dicts()[0]
    cost = row["cost_with_user"]
    row["cost_per_user"] = float(cost) / row["users"] if row["users"] and cost is not None else None
    return row


def token_types(con: duckdb.DuckDBPyConnection, start: Any = None, end: Any = None, provider: str | None = None,
                model: str | None = None) -> pl.DataFrame:
    """model, token_type, billed_cost, tokens, cache_saved (cache-read lines only)."""
    return run_named(con, "token_types", {"start": as_date(start, "start"), "end": as_date(end, "end"),
                                          "provider": provider or None, "model": model or None})


def tag_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    return run_named(con, "tag_keys")["tag_key"].to_list()


def distinct_values(con: duckdb.DuckDBPyConnection, dimension: str) -> list[str]:
    """Choices for a filter: the values a billing (provider, model, team) or request (feature)
    dimension takes, in order."""
    if dimension == "feature":
        df = request_units(con, ["feature"])
    else:
        df = spend_by(con, [dimension])
    return sorted({str(v) for v in df[dimension].to_list() if v is not None})


def saved_mappings(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Column mappings saved for in-house request logs (ingest/mapping.py), by name."""
    from ingest.mapping import list_mappings

    return dict(list_mappings(con))


def ingest_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return run_named(con, "ingest_history")


def ingest_rejects(con: duckdb.DuckDBPyConnection, file_id: int | str) -> pl.DataFrame:
    """The rejected and warned lines of one loaded file (``file_id`` from the ingest history)."""
    try:
        fid = int(file_id)
    except (TypeError, ValueError):
        raise QueryError(f"file id {str(file_id)[:80]!r} is not a number; pick a file from the ingest history") from None
    return run_named(con, "ingest_rejects", {"file_id": fid})


def prices_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The effective price rows behind request costs: model, tier, validity, source and USD per 1M
    tokens per token type (``prices`` view)."""
    return run_named(con, "prices_table")


def price_overrides(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Your price file rows (contract prices, discounts, hourly), with the file and line they came from."""
    return run_named(con, "price_overrides")


def scenario_curve(con: duckdb.DuckDBPyConnection, scenario: Any, workload: str, facts: Any = None) -> pl.DataFrame:
    """One workload's quality-cost curve: for its current model and every candidate evals cover,
    the cost ratio (candidate / current, for the workload's own token mix) and the eligible share
    with its interval. Each evaluated candidate is assessed by ``analyse`` with that candidate
    chosen, so the points are the same numbers the Workloads table would show; the requests are
    scanned once (``scan``, or the ``facts`` given) for all of them."""
    from dataclasses import replace

    from queries.rightsizing import analyse, scan

    facts = facts or scan(con, scenario)
    models = facts.evidence.filter(pl.col("workload") == workload)["candidate_model"].unique().sort().to_list()
    rows: list[dict[str, Any]] = []
    base = analyse(con, scenario, facts).workloads.filter(pl.col("workload") == workload).to_dicts()
    if base:
        rows.append({"model": base[0]["current_model"], "role": "current", "cost_ratio": 1.0, "eligible_share": 1.0,
                     "eligible_low": 1.0, "eligible_high": 1.0, "basis": "current"})
    for m in models:
        sc = replace(scenario, candidates={**scenario.candidates, workload: m})
        w = analyse(con, sc, facts).workloads.filter(pl.col("workload") == workload).to_dicts()
        if w and w[0]["candidate_model"] == m:
            r = w[0]
            rows.append({"model": m, "role": "candidate", "cost_ratio": r["cost_ratio"],
                         "eligible_share": r["eligible_share"], "eligible_low": r["eligible_low"],
                         "eligible_high": r["eligible_high"], "basis": r["basis"]})
    schema = {"model": pl.String, "role": pl.String, "cost_ratio": pl.Float64, "eligible_share": pl.Float64,
              "eligible_low": pl.Float64, "eligible_high": pl.Float64, "basis": pl.String}
    return pl.DataFrame(rows, schema=schema)
