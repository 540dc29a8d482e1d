"""Histograms of request logs, maintained on ingest: what workload percentiles are read from.

Exact percentiles sort every request of the period (0.7 s at 10M requests, docs/performance.md);
``request_hist`` holds, per source file, day and the seven attributes a workload key can name, how
many requests fall in each bin of input tokens (metric 0, all four input kinds), output tokens (1)
and latency in whole microseconds (2). The bins are the store's ``rs_hist_*`` macros
(ingest/migrations/0092_request_hist.sql): exact from -1024 to 1024, 128 per power of two above, so
a percentile read from them is the requests' own up to 1,024 and within 0.4% above
(queries/sql/workload_quantiles.sql; tests/test_hist.py).

Maintenance: ``hist_file`` after a file's rows are inserted (AFTER_LOAD, after the rollup), rows
cleared with the file (``ingest.loader.DERIVED_TABLES``). Re-pricing changes neither tokens nor
latency, so it leaves the histogram alone. A NULL latency is not counted (a quantile ignores it).
"""

from __future__ import annotations

import duckdb

ATTRIBUTES = ["feature", "prompt_name", "app", "route", "api_key", "project", "team"]
METRICS = {0: "input tokens", 1: "output tokens", 2: "latency (µs)"}

# One pass over the file's requests: each request is three (metric, bin) rows, grouped once.
_INSERT = f"""
INSERT INTO request_hist
SELECT source_file_id, CAST(ts AS DATE) AS day, {", ".join(ATTRIBUTES)}, metric, bin, count(*) AS n
FROM (
    SELECT source_file_id, ts, {", ".join(ATTRIBUTES)},
           unnest([0, 1, 2]) AS metric,
           unnest([rs_hist_bin(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens),
                   rs_hist_bin(output_tokens), rs_hist_bin(rs_hist_us(latency_ms))]) AS bin
    FROM request_log
    WHERE source_file_id = ?
)
WHERE bin IS NOT NULL
GROUP BY ALL
"""


def hist_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """(Re)build one file's histogram rows. Runs inside the caller's (the load's) transaction."""
    con.execute("DELETE FROM request_hist WHERE source_file_id = ?", [source_file_id])
    con.execute(_INSERT, [source_file_id])


def rebuild_all(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every file's histogram (a store whose bins or rows were changed outside the loader)."""
    con.execute("DELETE FROM request_hist")
    con.execute(_INSERT.replace("WHERE source_file_id = ?", ""))
