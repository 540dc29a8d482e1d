"""Daily rollups of request logs, maintained on ingest (and on re-pricing and removal).

The dashboard's pages need sums by day and a few dimensions over tens of millions of requests;
``request_daily`` holds them per source file, so maintaining it is an insert (load), a delete
(remove) or a rebuild of the affected files. A re-price derives most rows' new cost from their token
sums (ingest/prices.py ``_reprice_rollups``) and rebuilds the rest by day (``rebuild_days``). tests/test_rollups.py proves the rollup
equals the raw aggregates.
"""

from __future__ import annotations

import duckdb

DIMENSIONS = ["provider", "model", "model_raw", "feature", "app", "route", "prompt_name", "team", "project",
              "api_key", "service_tier", "status", "has_tools", "structured_output"]

_INSERT = """
INSERT INTO request_daily BY NAME
SELECT source_file_id, CAST(ts AS DATE) AS day, {dims}, {band} AS input_band,
       count(*) AS requests, sum(uncached_input_tokens) AS uncached_input_tokens,
       sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
       sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(output_tokens) AS output_tokens,
       sum(reasoning_tokens) AS reasoning_tokens, sum(cost) AS cost,
       count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests, sum(logged_cost) AS logged_cost,
       sum(latency_ms) AS latency_ms_sum, count(latency_ms) AS latency_ms_count,
       max(i) AS max_input_tokens, max(output_tokens) AS max_output_tokens,
       min(ts) AS first_ts, max(ts) AS last_ts, max(i + output_tokens) AS max_total_tokens,
       count(logged_cost) AS logged_requests
FROM (SELECT *, uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens AS i
      FROM request_log
      WHERE source_file_id = ?)
GROUP BY ALL
"""


def band_edges(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The input-token edges the rollup's ``input_band`` counts (``rollup_band``, ascending)."""
    return [int(e) for (e,) in con.execute("SELECT edge FROM rollup_band ORDER BY edge").fetchall()]


def _insert(con: duckdb.DuckDBPyConnection, where: str = "WHERE source_file_id = ?") -> str:
    """The rollup's INSERT for the requests matching ``where``. ``input_band`` is a CASE over the
    store's edges (integers read from ``rollup_band``), cheapest first: most requests are short."""
    edges = band_edges(con)
    band = ("CASE " + " ".join(f"WHEN i <= {e} THEN {n}" for n, e in enumerate(edges)) + f" ELSE {len(edges)} END"
            if edges else "0")
    return _INSERT.format(dims=", ".join(DIMENSIONS), band=band).replace("WHERE source_file_id = ?", where)


def rollup_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """(Re)build one file's rollup rows. Runs inside the caller's transaction."""
    con.execute("DELETE FROM request_daily WHERE source_file_id = ?", [source_file_id])
    con.execute(_insert(con), [source_file_id])


def rebuild_all(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every file's rollup (after re-pricing the history)."""
    con.execute("DELETE FROM request_daily")
    con.execute(_insert(con, ""))


_SAME_DAY = """x.source_file_id = {t}.source_file_id AND x.day = {day} AND x.provider IS NOT DISTINCT FROM {t}.provider
    AND x.model IS NOT DISTINCT FROM {t}.model AND x.model_raw IS NOT DISTINCT FROM {t}.model_raw
    AND x.service_tier IS NOT DISTINCT FROM {t}.service_tier"""


def rebuild_days(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rebuild the rollup rows of the (source_file_id, day, provider, model, model_raw, service_tier) in
    ``table`` from their requests (the re-price's rows whose cost cannot be derived)."""
    if not con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # type: ignore[index]
        return
    con.execute(f"DELETE FROM request_daily d USING {table} x WHERE {_SAME_DAY.format(t='d', day='d.day')}")
    con.execute(_insert(con, f"""WHERE EXISTS (SELECT 1 FROM {table} x
        WHERE {_SAME_DAY.format(t='request_log', day='CAST(request_log.ts AS DATE)')})"""))
