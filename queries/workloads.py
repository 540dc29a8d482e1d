"""Workloads: groups of requests that do the same job, and the profile of each.

A workload is named by one request attribute. By default ('auto') the most specific one present:
``feature``, else ``prompt_name``, else ``app`` + ``route``, else ``app``, ``api_key``, ``project``.
A source whose files tag requests differently gets a rule in ``workload_rule`` (a glob on the file
name and the key to use); ``set_workload_rule`` writes one. The key names are a whitelist and are
bound as parameters, never formatted into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import polars as pl

from ingest import rollups
from ingest.errors import QueryError
from queries import load_sql, run_named
from queries.spend import as_date

# Key name -> what it groups by (the SQL for each lives in sql/workload_key.sql).
WORKLOAD_KEYS: dict[str, str] = {
    "auto": "the most specific attribute present: feature, prompt_name, app + route, app, api_key, project",
    "feature": "requests.feature",
    "prompt_name": "requests.prompt_name",
    "app_route": "requests.app and requests.route",
    "app": "requests.app",
    "route": "requests.route",
    "api_key": "requests.api_key",
    "project": "requests.project",
    "team": "requests.team",
}

Day = date | datetime | str | None


def check_key(key: str) -> str:
    if key not in WORKLOAD_KEYS:
        raise QueryError(f"unknown workload key {key!r}; choose from {', '.join(WORKLOAD_KEYS)}")
    return key


def period_params(start: Day = None, end: Day = None, key: str = "auto") -> dict[str, object]:
    """The parameters every workload query takes: ``start`` inclusive, ``end`` exclusive, the key.
    A period bound that is not a date is refused here with the project's error (DuckDB would say
    "Conversion Error" deep inside the query); valid ones are passed as given."""
    for value, what in ((start, "start"), (end, "end")):
        if isinstance(value, str):
            as_date(value, what)
    return {"start": str(start) if start else None, "end": str(end) if end else None,
            "default_key": check_key(key)}


def fragments() -> dict[str, str]:
    """The SQL fragments workload queries embed: ``workload_requests`` (the CTEs ``keyed`` and ``wr``),
    ``workload_keyed`` (``keyed`` alone) and ``workload_key`` (the workload of a row ``r`` with the
    request attribute columns, for its file's key ``k.key_name``)."""
    parts = {"workload_keyed": load_sql("workload_keyed"), "workload_key": load_sql("workload_key")}
    return {"workload_requests": load_sql("workload_requests").format(**parts), **parts}


def _run(con: duckdb.DuckDBPyConnection, name: str, start: Day, end: Day, key: str) -> pl.DataFrame:
    return run_named(con, name, period_params(start, end, key), **fragments())


def workload_profiles(con: duckdb.DuckDBPyConnection, start: Day = None, end: Day = None,
                      key: str = "auto") -> pl.DataFrame:
    """One row per workload: requests and spend (period and per month), current model and mix,
    token percentiles, output:input ratio, cache-read and reasoning shares, tool and structured
    output shares (NULL where the log does not say), error rate, latency p50/p95 and trend
    (second half of the period vs the first), plus the token sums savings are computed from.

    ``cost`` is NULL-safe: unpriced requests are counted in ``unpriced_requests``, not as $0.
    The sums come from the daily rollup (``workload_groups_daily``; the requests of the period's
    middle day only) and the percentiles from the histograms kept at ingest (``quantiles``: binned,
    exact up to 1,024 tokens and within 0.4% above); the profile is computed from those
    (docs/performance.md)."""
    return profile_facts(con, period_params(start, end, key))[0]


def profile_facts(con: duckdb.DuckDBPyConnection, params: dict[str, object], edges: Sequence[int] | None = None,
                  cache_target: float | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The profiles and the groups they were summed from (per workload, model, provider,
    long-context band and half of the period: from the daily rollup, sql/workload_groups_daily.sql,
    or where it cannot give the same rows from the requests, sql/workload_groups.sql), for ``queries.rightsizing.scan``,
    which takes the model mix, the current providers and the candidate costs' token sums from the
    same groups instead of reading the requests again. ``edges``: the long-context thresholds the
    groups split input at (none by default); ``cache_target``: the cache-hit share the groups'
    ``unc_c``/``cr_c`` assume (None: as logged)."""
    frag = fragments()
    bounds = {f"edge_{i}": int(e) for i, e in enumerate(sorted(set(edges or [])))}
    above = " + ".join(f"CAST(s.input_tokens > ${name} AS INTEGER)" for name in bounds) or "0"
    shift = ("least(s.uncached_input_tokens, greatest(0.0, $cache_target * s.input_tokens - s.cache_read_tokens))")
    if cache_target is None:   # no shift: the sums as logged (as doubles, like the shifted sums)
        groups = _daily_groups(con, params, bounds, above, frag)
        if groups is None:
            groups = run_named(con, "workload_groups", {**params, **bounds}, above=above, shift_sums="", **frag)
        groups = groups.with_columns(unc_c=pl.col("uncached_input_tokens").cast(pl.Float64),
                                     cr_c=pl.col("cache_read_tokens").cast(pl.Float64))
    else:  # the shifted sums are per request (a least/greatest of each one's tokens): no rollup can hold them
        groups = run_named(con, "workload_groups", {**params, **bounds, "cache_target": cache_target}, above=above,
                           shift_sums=f",\n       sum(s.uncached_input_tokens - {shift}) AS unc_c,"
                                      f"\n       sum(s.cache_read_tokens + {shift}) AS cr_c", **frag)
    return _from_groups(con, "workload_profile", groups, quantiles(con, params)), groups


def quantiles(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> pl.DataFrame:
    """Per workload, its input/output token percentiles (p50, p95, p99) and latency p50/p95, as the
    lists ``input_q``, ``output_q`` and ``latency_q``. Read from the histograms kept at ingest
    (sql/workload_quantiles.sql: exact up to 1,024, within 0.4% above) unless a period bound has a
    time of day, which the day-keyed histogram cannot answer: then sorted from the requests
    (sql/workload_quantiles_exact.sql, exact, about 9x slower at 10M requests; docs/performance.md)."""
    name = "workload_quantiles" if whole_days(con, params) else "workload_quantiles_exact"
    return run_named(con, name, params, **fragments())


def whole_days(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> bool:
    """Whether the period's bounds (``start``, ``end``) are absent or midnights, read as DuckDB
    reads them (the workload queries cast them to TIMESTAMP)."""
    bounds = [params.get("start"), params.get("end")]
    if all(b is None for b in bounds):
        return True
    row = con.sql("SELECT ($s IS NULL OR CAST($s AS TIMESTAMP) = CAST(CAST($s AS TIMESTAMP) AS DATE)) "
                  "AND ($e IS NULL OR CAST($e AS TIMESTAMP) = CAST(CAST($e AS TIMESTAMP) AS DATE))",
                  params={"s": bounds[0], "e": bounds[1]}).fetchall()
    return bool(row[0][0])


def _daily_groups(con: duckdb.DuckDBPyConnection, params: dict[str, object], bounds: dict[str, int], above: str,
                  frag: dict[str, str]) -> pl.DataFrame | None:
    """``workload_groups`` from the daily rollup (sql/workload_groups_daily.sql), or None where the
    rollup cannot give the same rows: a period bound inside a day, or a long-context threshold
    that is not one of the rollup's band edges (``rollup_band``; then the requests are read)."""
    if not whole_days(con, params):
        return None
    edges = rollups.band_edges(con)
    if not set(bounds.values()) <= set(edges):
        return None
    t0, t1, mid = con.execute(load_sql("workload_span").format(**frag),
                              {k: params[k] for k in ("start", "end", "default_key")}).fetchall()[0]
    if t0 is None or t1 is None:  # no request in the period: the requests query returns no row either
        return None
    mid_day = f"DATE '{mid.date().isoformat()}'"
    band = " + ".join(f"CAST(r.input_band > {edges.index(e)} AS INTEGER)" for e in bounds.values()) or "0"
    return run_named(con, "workload_groups_daily", {**params, **bounds, "t0": t0, "t1": t1},
                     above=band, above_requests=above, mid=f"TIMESTAMP '{mid.isoformat(sep=' ')}'",
                     mid_day=mid_day, **frag)


def _from_groups(con: duckdb.DuckDBPyConnection, name: str, groups: pl.DataFrame,
                 quant: pl.DataFrame | None = None) -> pl.DataFrame:
    """Run ``queries/sql/<name>.sql`` over ``groups`` (and ``quant``), registered for this query only."""
    con.register("rs_groups", groups)
    if quant is not None:
        con.register("rs_quant", quant)
    try:
        return run_named(con, name)
    finally:
        con.unregister("rs_groups")
        if quant is not None:
            con.unregister("rs_quant")


def workload_monthly(con: duckdb.DuckDBPyConnection, start: Day = None, end: Day = None,
                     key: str = "auto") -> pl.DataFrame:
    """Requests and spend per workload and month."""
    return _run(con, "workload_monthly", start, end, key)


def workload_models(con: duckdb.DuckDBPyConnection, start: Day = None, end: Day = None,
                    key: str = "auto") -> pl.DataFrame:
    """The model mix per workload."""
    return _run(con, "workload_models", start, end, key)


def set_workload_rule(con: duckdb.DuckDBPyConnection, source_pattern: str, key: str,
                      priority: int = 100) -> None:
    """Name workloads of files matching ``source_pattern`` (a glob on the file name) by ``key``."""
    check_key(key)
    con.execute("DELETE FROM workload_rule WHERE source_pattern = ?", [source_pattern])
    con.execute("INSERT INTO workload_rule (source_pattern, workload_key, priority) VALUES (?, ?, ?)",
                [source_pattern, key, priority])


def workload_rules(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The per-source workload rules, first applied first."""
    return con.sql("SELECT source_pattern, workload_key, priority FROM workload_rule "
                   "ORDER BY priority, source_pattern").pl()
