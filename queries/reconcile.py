"""Request logs against the bill: how far apart they are, per provider, model and day, and why.

Three figures meet per (day, provider, model family) cell: what the bill charged, what the logs
said the requests cost (``logged_cost``; our price where a log gives none) and what rightsize prices
them at (``cost``). The gap **bill - logged** is split into named causes that add up to it exactly:

- pricing (logged -> ours, per priced request): ``gateway_vs_list_price`` (the log's price against
  the catalog's standard price: cache pricing, stale or missing gateway prices),
  ``batch_tier_discounts`` (batch/flex/priority against standard), ``negotiated_prices`` (your
  price file against the catalog);
- coverage (ours -> bill, per cell): ``unpriced_models`` (billed for requests no catalog prices,
  less what the log said), ``missing_logs`` (billed with no logged requests, or billed beyond what
  the logged requests cost), ``credits``, ``tax``, ``adjustments``, ``other_charges`` (bill lines that
  are not model usage), ``rounding`` (a matched cell within 0.1% of its bill),
  ``not_billed`` (logged requests with no bill line, e.g. a month whose bill is not loaded),
  ``unexplained`` (billed less than we priced: a discount we do not know; add it to your price file).

Providers with no bill line at all in the period (self-hosted models, or a bill not loaded) are not
in the gap; ``unbilled`` lists them. ``allocate`` scales request costs so that each day's and model's
total equals the invoice (showback finance can trust).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from ingest import prices
from ingest.errors import QueryError
from ingest.models import provider_key_sql
from queries import load_sql, run, run_named
from queries.spend import as_date

EARLIEST, LATEST = "1970-01-01", "2200-01-01"
CAUSES: dict[str, tuple[str, str]] = {
    "gateway_vs_list_price": ("pricing", "the log's price against the catalog's standard price (cache pricing, "
                                         "stale or missing gateway prices)"),
    "batch_tier_discounts": ("pricing", "batch, flex and priority requests priced at their tier, not standard"),
    "negotiated_prices": ("pricing", "your price file (discounts, contract prices) against the catalog"),
    "unpriced_models": ("coverage", "billed for models no catalog prices, less what the log said they cost"),
    "missing_logs": ("coverage", "billed with no logged requests, or beyond what the logged requests cost"),
    "credits": ("coverage", "credits on the bill"),
    "tax": ("coverage", "tax lines on the bill"),
    "adjustments": ("coverage", "adjustments on the bill"),
    "other_charges": ("coverage", "bill lines that are not model usage (purchases, fees, support)"),
    "rounding": ("coverage", "matched days and models within 0.1% of the bill (rounding of amounts)"),
    "not_billed": ("coverage", "logged requests with no bill line (the bill for that period may not be loaded)"),
    "unexplained": ("coverage", "billed less than we priced: a discount rightsize does not know; add it to "
                                "your price file"),
}
GRAINS = {"day": "day", "month": "month"}
# A matched cell whose bill and priced requests differ by at most 0.1% (plus a millionth of a dollar per
# bill line) differs by rounding; beyond that it is a cause of its own.
ROUNDING_SHARE, ROUNDING_PER_LINE = Decimal("0.001"), Decimal("0.000001")
ALLOCATE_BY = {"team", "feature", "app", "route", "prompt_name", "project", "user", "api_key", "provider", "model"}


def _bounds(start: str | None, end: str | None) -> tuple[str, str]:
    return (as_date(start, "start") or EARLIEST, as_date(end, "end") or LATEST)


# a request whose key (file, day, provider, model as logged, model, tier) is in _rc_redo; a row of
# values compares NULLs as equal and is one hash probe (an EXISTS on six columns was 10x slower)
_IN_REDO = ("row(r.source_file_id, CAST(r.ts AS DATE), r.provider, r.model_raw, r.model, r.service_tier) IN "
            "(SELECT row(x.source_file_id, x.day, x.provider, x.model_raw, x.model, x.service_tier) FROM _rc_redo x)")
_DAY_RANGES = 64  # up to this many days to read the requests of, each a range of ts (zone maps skip the rest)


def _stage_rollup(con: duckdb.DuckDBPyConnection, s: str, e: str) -> None:
    """The period's rollup rows with their reconciliation figures (``_rc_daily``) and the keys whose
    figures must come from the requests (``_rc_redo``), as temp tables."""
    groups = [tuple(r) for r in con.execute(
        "SELECT provider, model_raw, model, coalesce(service_tier, 'standard'), min(day), max(day) "
        "FROM request_daily WHERE day >= CAST(CAST(? AS TIMESTAMP) AS DATE) AND CAST(day AS TIMESTAMP) < "
        "CAST(? AS TIMESTAMP) GROUP BY ALL", [s, e]).fetchall()]
    keys = [g[:4] for g in groups]
    spans = {g[:4]: (datetime.combine(g[4], time()), datetime.combine(g[5], time()) + timedelta(days=1))
             for g in groups}
    fragments = {"stored_is_catalog": "true" if prices.stored_is_catalog(con) else "false"}
    for name, standard in (("standard", True), ("tier", False)):
        derived = prices.catalog_daily_sql(keys, spans, standard, f"d.{name}_entry") if keys else None
        fragments[f"{name}_entry"], fragments[f"{name}_cost"], fragments[f"{name}_ok"] = \
            derived or ("CAST(NULL AS INTEGER)", "NULL", "false")
    daily = load_sql("reconcile_daily").format(**fragments)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _rc_daily AS {daily}", {"start": s, "end": e})
    con.execute("CREATE OR REPLACE TEMP TABLE _rc_redo AS SELECT DISTINCT source_file_id, day, provider, "
                "model_raw, model, service_tier FROM _rc_daily WHERE NOT exact")


def cells(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None) -> pl.DataFrame:
    """One row per (day, provider, model family, line kind) with billed, logged and priced amounts.

    Read from the daily rollup, not the requests (issue 8: pricing every request of the period at
    the catalog again took 1-2 s at 10M requests), wherever that is exact (reconcile_daily.sql);
    the keys (file, day, provider, model as logged, model, tier) where it is not are summed from
    their requests as before: a day only partly in the period, a day partly priced or partly
    logged, an off-peak or long-context catalog price, rates beyond 12 decimals. The result is
    the per-request computation's to the digit (tests/test_reconcile_speed.py)."""
    s, e = _bounds(start, end)
    params: dict[str, Any] = {"start": s, "end": e}
    fallback = ""
    try:
        _stage_rollup(con, s, e)
        # the period narrowed to the days of those keys
        redo, lo, hi = con.execute(
            "SELECT count(*), greatest(CAST($start AS TIMESTAMP), CAST(min(day) AS TIMESTAMP)), "
            "least(CAST($end AS TIMESTAMP), CAST(max(day) AS TIMESTAMP) + INTERVAL 1 DAY) FROM _rc_redo",
            params).fetchall()[0]
        if redo:
            days = [r[0] for r in con.execute("SELECT DISTINCT day FROM _rc_redo ORDER BY day").fetchall()]
            keys_sql = _IN_REDO
            if len(days) <= _DAY_RANGES:
                keys_sql += " AND (" + " OR ".join(
                    f"(r.ts >= TIMESTAMP '{d.isoformat()}' AND r.ts < TIMESTAMP '{(d + timedelta(days=1)).isoformat()}')"
                    for d in days) + ")"
            prices.catalog_costs(con, f"AND r.ts >= ? AND r.ts < ? AND {keys_sql}", [lo, hi], differing_only=True)
            fallback = load_sql("reconcile_requests").format(in_redo=keys_sql)
            params.update(lo=lo, hi=hi)
        return run_named(con, "reconcile_cells", params, fallback=fallback,
                         bill_provider=provider_key_sql("ProviderName"), req_provider=provider_key_sql("r.provider"))
    finally:
        for table in ("_catalog_cost", "_rc_daily", "_rc_redo"):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _causes(row: dict[str, Any]) -> dict[str, Decimal]:
    """Split one billed provider's cell of bill - logged into causes that add up to it."""
    out: dict[str, Decimal] = {}

    def add(cause: str, amount: Decimal) -> None:
        if amount:
            out[cause] = out.get(cause, Decimal(0)) + amount

    zero = Decimal(0)
    billed, credits = row["billed"], row["credits"] or zero
    if row["line_kind"] != "usage":
        kind = {"tax": "tax", "credit": "credits", "adjustment": "adjustments"}.get(row["line_kind"], "other_charges")
        add(kind, billed or zero)
        return out
    if row["requests"]:
        add("gateway_vs_list_price", row["standard_cost"] - row["logged_priced"])
        add("batch_tier_discounts", row["tier_cost"] - row["standard_cost"])
        add("negotiated_prices", row["request_cost"] - row["tier_cost"])
    if billed is None:
        add("not_billed", -(row["request_cost"] + row["logged_unpriced"]))
        return out
    add("credits", credits)
    residual = billed - credits - row["request_cost"] - row["logged_unpriced"]
    if not row["requests"]:
        add("missing_logs", residual)
    elif row["unpriced_requests"]:
        add("unpriced_models", residual)
    elif abs(residual) <= ROUNDING_SHARE * abs(billed) + ROUNDING_PER_LINE * row["lines"]:
        add("rounding", residual)
    elif residual > 0:
        add("missing_logs", residual)
    else:
        add("unexplained", residual)
    return out


def gap_causes_by_provider(con: duckdb.DuckDBPyConnection, start: str | None = None,
                           end: str | None = None, table: pl.DataFrame | None = None) -> pl.DataFrame:
    """provider, cause, part (pricing | coverage), amount, note: per billed provider, the causes of
    bill - logged; they add up to each provider's gap exactly."""
    totals: dict[tuple[str, str], Decimal] = {}
    for row in (cells(con, start, end) if table is None else table).to_dicts():
        if not row["provider_billed"]:
            continue
        for cause, amount in _causes(row).items():
            key = (row["provider"], cause)
            totals[key] = totals.get(key, Decimal(0)) + amount
    order = list(CAUSES)
    rows = [{"provider": p, "cause": c, "part": CAUSES[c][0], "amount": a, "note": CAUSES[c][1]}
            for (p, c), a in sorted(totals.items(), key=lambda kv: (kv[0][0], order.index(kv[0][1])))]
    schema: dict[str, pl.DataType | type[pl.DataType]] = {"provider": pl.String, "cause": pl.String, "part": pl.String, "amount": pl.Decimal(38, 12),
              "note": pl.String}
    return pl.DataFrame(rows, schema=schema)


def gap_causes(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
               table: pl.DataFrame | None = None) -> pl.DataFrame:
    """cause, amount, note (and part): the causes of the total gap (bill - logged) over billed
    providers; the amounts add up to ``summary(...)['gap']`` exactly."""
    by = gap_causes_by_provider(con, start, end, table)
    order = {c: i for i, c in enumerate(CAUSES)}
    out = (by.group_by("cause", "part", "note").agg(pl.col("amount").sum())
           .with_columns(pl.col("cause").replace_strict(order, return_dtype=pl.Int32).alias("_o"))
           .sort("_o").select("cause", "amount", "note", "part"))
    return out


def reconcile(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
              grain: str = "day", table: pl.DataFrame | None = None) -> pl.DataFrame:
    """period, provider, model, billed_cost, request_cost, logged_cost, requests, gap (billed - our
    request cost), line_kind, unpriced_requests: logs against the bill per provider and model,
    by day or month. Bill lines that are not model usage have model NULL and their line kind."""
    if grain not in GRAINS:
        raise QueryError(f"grain {grain!r}: use day or month")
    df = (cells(con, start, end) if table is None else table).filter(pl.col("provider_billed"))
    period = pl.col("day").dt.truncate("1mo") if grain == "month" else pl.col("day")
    return (df.with_columns(period.alias("period"))
            .group_by("period", "provider", "model", "line_kind")
            .agg(pl.col("billed").sum().alias("billed_cost"), pl.col("request_cost").sum(),
                 pl.col("logged_cost").sum(), pl.col("requests").sum(), pl.col("unpriced_requests").sum())
            .with_columns((pl.col("billed_cost") - pl.col("request_cost")).alias("gap"))
            .select("period", "provider", "model", "billed_cost", "request_cost", "logged_cost", "requests", "gap",
                    "line_kind", "unpriced_requests")
            .sort("period", "provider", "model", nulls_last=True))


def summary(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
            table: pl.DataFrame | None = None) -> dict[str, Any]:
    """Totals over billed providers: billed, logged, ours, the two gaps, and the unbilled providers.
    ``table``: the period's ``cells`` when the caller has them already (as for the other functions)."""
    df = cells(con, start, end) if table is None else table
    billed_df = df.filter(pl.col("provider_billed"))
    zero = Decimal(0)

    def total(frame: pl.DataFrame, col: str) -> Decimal:
        return sum((v for v in frame[col].to_list() if v is not None), zero)

    billed = total(billed_df, "billed")
    logged = total(billed_df, "logged_priced") + total(billed_df, "logged_unpriced")
    ours = total(billed_df, "request_cost")
    unbilled = (df.filter(~pl.col("provider_billed")).group_by("provider")
                .agg(pl.col("requests").sum(), pl.col("request_cost").sum()).sort("provider").to_dicts())
    return {"billed": billed, "logged": logged, "request_cost": ours, "gap": billed - logged,
            "gap_vs_our_prices": billed - ours,
            "unpriced_requests": int(billed_df["unpriced_requests"].sum() or 0),
            # every provider, billed or not: requests no price covers, and what their logs said they cost
            "unpriced_requests_all": int(df["unpriced_requests"].sum() or 0),
            "unpriced_logged_cost": total(df, "logged_unpriced"), "unbilled": unbilled}


def reconciliation(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
                   grain: str = "day") -> dict[str, Any]:
    """The Reconciliation page's data: ``summary``, ``gap_causes`` and ``reconcile`` from one pass
    over the period's requests (each alone reads them again: three scans at 10M requests)."""
    if grain not in GRAINS:
        raise QueryError(f"grain {grain!r}: use day or month")
    table = cells(con, start, end)
    return {"summary": summary(con, start, end, table), "causes": gap_causes(con, start, end, table),
            "table": reconcile(con, start, end, grain, table)}


def allocate(con: duckdb.DuckDBPyConnection, by: list[str], start: str | None = None,
             end: str | None = None) -> pl.DataFrame:
    """Showback: each billed (day, provider, model) usage total shared among its logged requests in
    proportion to their cost (by tokens where none is priced), summed by ``by``. Billed amounts with
    no logged request (and tax, credits, other lines) stay in one row whose ``by`` values are NULL,
    so the allocated total equals the bill."""
    bad = [d for d in by if d not in ALLOCATE_BY]
    if bad or not by:
        raise QueryError(f"allocate by {bad or by!r}: choose from {', '.join(sorted(ALLOCATE_BY))}")
    s, e = _bounds(start, end)
    sql = f"""
    WITH bill AS (
        SELECT CAST(ChargePeriodStart AS DATE) AS day, {provider_key_sql("ProviderName")} AS pkey,
               regexp_replace(x_Model, '-\\d{{4}}-\\d{{2}}-\\d{{2}}$', '') AS family, sum(BilledCost) AS billed
        FROM billing WHERE x_LineType = 'cost' AND ChargeCategory = 'Usage' AND x_Model IS NOT NULL
          AND ChargePeriodStart >= $start AND ChargePeriodStart < $end
        GROUP BY ALL),
    req AS (
        SELECT r.*, CAST(r.ts AS DATE) AS day, {provider_key_sql("r.provider")} AS pkey,
               regexp_replace(r.model, '-\\d{{4}}-\\d{{2}}-\\d{{2}}$', '') AS family,
               r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens
                 + r.output_tokens AS tokens
        FROM requests r WHERE r.ts >= $start AND r.ts < $end),
    weighted AS (
        SELECT q.*, b.billed,
               CASE WHEN sum(coalesce(q.cost, 0)) OVER w > 0 THEN coalesce(q.cost, 0)::DOUBLE
                    / sum(coalesce(q.cost, 0)) OVER w
                    WHEN sum(q.tokens) OVER w > 0 THEN q.tokens::DOUBLE / sum(q.tokens) OVER w
                    ELSE 1.0 / count(*) OVER w END AS share
        FROM req q JOIN bill b ON b.day = q.day AND b.pkey = q.pkey AND b.family = q.family
        WINDOW w AS (PARTITION BY q.day, q.pkey, q.family))
    SELECT {", ".join(f"r.{d} AS {d}" if d != "user" else 'r."user" AS "user"' for d in by)},
           sum(r.billed * r.share) AS allocated_cost, sum(r.cost) AS request_cost, count(*) AS requests
    FROM weighted r GROUP BY ALL
    UNION ALL
    SELECT {", ".join("NULL" for _ in by)}, (SELECT coalesce(sum(BilledCost), 0) FROM billing
              WHERE x_LineType = 'cost' AND ChargePeriodStart >= $start AND ChargePeriodStart < $end)
           - (SELECT coalesce(sum(billed), 0) FROM bill WHERE EXISTS (SELECT 1 FROM req q
              WHERE q.day = bill.day AND q.pkey = bill.pkey AND q.family = bill.family)), NULL, 0
    ORDER BY allocated_cost DESC NULLS LAST"""
    return run(con, sql, {"start": s, "end": e})
