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
              "api_key", "service_tier", "status"]

_INSERT = f"""
INSERT INTO request_daily BY NAME
SELECT source_file_id, CAST(ts AS DATE) AS day, {", ".join(DIMENSIONS)},
       count(*) AS requests, sum(uncached_input_tokens) AS uncached_input_tokens,
       sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
       sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(output_tokens) AS output_tokens,
       sum(reasoning_tokens) AS reasoning_tokens, sum(cost) AS cost,
       count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests, sum(logged_cost) AS logged_cost,
       sum(latency_ms) AS latency_ms_sum, count(latency_ms) AS latency_ms_count,
       max(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) AS max_input_tokens,
       max(output_tokens) AS max_output_tokens, count(logged_cost) AS logged_requests
FROM request_log
WHERE source_file_id = ?
GROUP BY ALL
"""


def rollup_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """(Re)build one file's rollup rows. Runs inside the caller's transaction."""
    con.execute("DELETE FROM request_daily WHERE source_file_id = ?", [source_file_id])
    con.execute(_INSERT, [source_file_id])


def rebuild_all(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every file's rollup (after re-pricing the history)."""
    con.execute("DELETE FROM request_daily")
    con.execute(_INSERT.replace("WHERE source_file_id = ?", ""))


_SAME_DAY = """x.source_file_id = {t}.source_file_id AND x.day = {day} AND x.provider IS NOT DISTINCT FROM {t}.provider
    AND x.model IS NOT DISTINCT FROM {t}.model AND x.model_raw IS NOT DISTINCT FROM {t}.model_raw
    AND x.service_tier IS NOT DISTINCT FROM {t}.service_tier"""


def rebuild_days(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rebuild the rollup rows of the (source_file_id, day, provider, model, model_raw, service_tier) in
    ``table`` from their requests (the re-price's rows whose cost cannot be derived)."""
    if not con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # type: ignore[index]
        return
    con.execute(f"DELETE FROM request_daily d USING {table} x WHERE {_SAME_DAY.format(t='d', day='d.day')}")
    con.execute(_INSERT.replace("WHERE source_file_id = ?", f"""WHERE EXISTS (SELECT 1 FROM {table} x
        WHERE {_SAME_DAY.format(t='request_log', day='CAST(request_log.ts AS DATE)')})"""))
