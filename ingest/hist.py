"""Histograms of request logs, maintained on ingest: what workload percentiles are read from.

Exact percentiles sort every request of the period (0.7 s at 10M requests, docs/performance.md).
The histogram holds, per source file, day and the seven attributes a workload key can name, how many
requests fall in each bin of input tokens (metric 0, all four input kinds), output tokens (1) and
latency in whole microseconds (2). The bins are the store's ``rs_hist_*`` macros
(ingest/migrations/0092_request_hist.sql): exact from -1024 to 1024, 128 per power of two above, so
a percentile read from them is the requests' own up to 1,024 and within 0.4% above
(queries/sql/workload_quantiles.sql; tests/test_hist.py).

Two tables, one view (``request_hist``): ``request_hist_key`` numbers each (file, day, attributes),
``request_hist_bin`` counts by that number, metric and bin, so the big table is integers only (the
migration says why). ``hist_file`` runs after a file's rows are inserted (AFTER_LOAD, after the
rollup), inside the load's transaction; both tables are cleared with the file
(``ingest.loader.DERIVED_TABLES``). Re-pricing changes neither tokens nor latency, so it leaves the
histogram alone. A NULL latency is not counted (a quantile ignores it); a NULL attribute is a value
of its own, as in the rollup.
"""

from __future__ import annotations

import duckdb

ATTRIBUTES = ["feature", "prompt_name", "app", "route", "api_key", "project", "team"]
TABLES = ["request_hist_key", "request_hist_bin"]

_COLUMNS = ", ".join(ATTRIBUTES)

# Number the file's (day, attributes): a few thousand rows, ids after the store's last.
_KEYS = f"""
INSERT INTO request_hist_key
SELECT source_file_id, (SELECT coalesce(max(id), 0) FROM request_hist_key) + row_number() OVER () AS id,
       day, {_COLUMNS}
FROM (SELECT DISTINCT source_file_id, CAST(ts AS DATE) AS day, {_COLUMNS}
      FROM request_log WHERE {{where}})
"""

# Bin each request once (joined to its key), then count each metric's bins: three GROUP BYs over
# integers were cheaper than one over an unnest of the three (docs/performance.md, session 5).
_SAME_KEY = " AND ".join(f"k.{a} IS NOT DISTINCT FROM r.{a}" for a in ATTRIBUTES)
_BINS = f"""
INSERT INTO request_hist_bin
WITH j AS MATERIALIZED (
    SELECT r.source_file_id, k.id,
           rs_hist_bin(r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens
                       + r.cache_write_1h_tokens) AS b0,
           rs_hist_bin(r.output_tokens) AS b1,
           rs_hist_bin(rs_hist_us(r.latency_ms)) AS b2
    FROM request_log r
    JOIN request_hist_key k ON k.source_file_id = r.source_file_id AND k.day = CAST(r.ts AS DATE)
        AND {_SAME_KEY}
    WHERE {{where}}
)
SELECT source_file_id, id, 0, b0, count(*) FROM j GROUP BY ALL
UNION ALL SELECT source_file_id, id, 1, b1, count(*) FROM j GROUP BY ALL
UNION ALL SELECT source_file_id, id, 2, b2, count(*) FROM j WHERE b2 IS NOT NULL GROUP BY ALL
"""


def hist_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """(Re)build one file's histogram rows. Runs inside the caller's (the load's) transaction."""
    for table in TABLES:
        con.execute(f"DELETE FROM {table} WHERE source_file_id = ?", [source_file_id])
    con.execute(_KEYS.format(where="source_file_id = ?"), [source_file_id])
    con.execute(_BINS.format(where="r.source_file_id = ?"), [source_file_id])


def rebuild_all(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every file's histogram from its requests (as migration 0092 fills an existing store)."""
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")
    con.execute(_KEYS.format(where="true"))
    con.execute(_BINS.format(where="true"))
