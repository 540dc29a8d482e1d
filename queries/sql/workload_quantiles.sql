-- Per workload, the percentiles of its requests' input and output tokens and latency, read from the
-- histograms kept at ingest (ingest/hist.py) instead of sorting every request: the
-- period's bins are summed per workload, metric and bin, counted up in bin order, and each
-- percentile is the value of the bin that holds the order statistic DuckDB would pick:
-- - tokens, as quantile_disc(x, [0.5, 0.95, 0.99]): the ceil(n q)-th smallest, at least the first,
--   in integers as DuckDB does for a DECIMAL q (n - floor(n (1 - q)));
-- - latency, as quantile_cont(x, [0.5, 0.95]): the (floor(RN) + 1)-th and (ceil(RN) + 1)-th with
--   RN = (n - 1) q, interpolated lo + (RN - floor(RN)) (hi - lo); the bins are in µs.
-- A bin's value is exact from -1024 to 1024 and within 2^-8 (0.4%) above (rs_hist_value, migration
-- 0092), so are the percentiles (tests/test_hist.py holds them to the exact query). The histogram is
-- by day: queries.workloads runs workload_quantiles_exact.sql when a bound has a time of day.
-- Same columns as that query: input_q, output_q (BIGINT lists), latency_q (DOUBLE list, ms; NULL
-- where no request of the workload logged a latency).
WITH {workload_keyed},
-- the period's (file, day, attributes) with their workload, numbered by workload (a few thousand rows)
keys AS (
    SELECT r.id, {workload_key} AS workload
    FROM request_hist_key r
    JOIN keyed k ON k.id = r.source_file_id
    WHERE ($start IS NULL OR r.day >= CAST(CAST($start AS TIMESTAMP) AS DATE))
      AND ($end IS NULL OR r.day < CAST(CAST($end AS TIMESTAMP) AS DATE))
),
names AS (SELECT workload, row_number() OVER (ORDER BY workload) AS w FROM (SELECT DISTINCT workload FROM keys)),
numbered AS (SELECT keys.id, names.w FROM keys JOIN names USING (workload)),
-- the bins summed per workload number, metric and bin: integers only over the big table
h AS (
    SELECT n.w, b.metric, b.bin, CAST(sum(b.n) AS BIGINT) AS n
    FROM request_hist_bin b
    JOIN numbered n ON n.id = b.id
    GROUP BY ALL
),
counted AS (
    SELECT w, metric, bin,
           sum(n) OVER (PARTITION BY w, metric ORDER BY bin ROWS UNBOUNDED PRECEDING) AS cum,
           sum(n) OVER (PARTITION BY w, metric) AS total
    FROM h
),
-- the 1-based ranks wanted: tokens p50, p95, p99; latency p50's two neighbours, then p95's
ranked AS (
    SELECT *,
           CASE WHEN metric < 2 THEN [greatest(1, total - (total * 50) // 100), greatest(1, total - (total * 5) // 100),
                                      greatest(1, total - total // 100), 0]
                ELSE [floor(CAST(total - 1 AS DOUBLE) * 0.5) + 1, ceil(CAST(total - 1 AS DOUBLE) * 0.5) + 1,
                      floor(CAST(total - 1 AS DOUBLE) * 0.95) + 1, ceil(CAST(total - 1 AS DOUBLE) * 0.95) + 1]
           END AS ranks
    FROM counted
),
picked AS (
    SELECT w, metric, any_value(total) AS total,
           rs_hist_value(min(bin) FILTER (WHERE cum >= ranks[1])) AS v1,
           rs_hist_value(min(bin) FILTER (WHERE cum >= ranks[2])) AS v2,
           rs_hist_value(min(bin) FILTER (WHERE cum >= ranks[3])) AS v3,
           rs_hist_value(min(bin) FILTER (WHERE cum >= ranks[4])) AS v4
    FROM ranked
    GROUP BY w, metric
),
lat AS (
    SELECT w,
           v1 / 1000.0 AS lo50, v2 / 1000.0 AS hi50, v3 / 1000.0 AS lo95, v4 / 1000.0 AS hi95,
           CAST(total - 1 AS DOUBLE) * 0.5 - floor(CAST(total - 1 AS DOUBLE) * 0.5) AS d50,
           CAST(total - 1 AS DOUBLE) * 0.95 - floor(CAST(total - 1 AS DOUBLE) * 0.95) AS d95
    FROM picked WHERE metric = 2
)
SELECT names.workload,
       any_value([v1, v2, v3]) FILTER (WHERE metric = 0) AS input_q,
       any_value([v1, v2, v3]) FILTER (WHERE metric = 1) AS output_q,
       any_value(CASE WHEN lo50 IS NOT NULL THEN [lo50 + d50 * (hi50 - lo50), lo95 + d95 * (hi95 - lo95)] END)
           AS latency_q
FROM picked
JOIN names USING (w)
LEFT JOIN lat USING (w)
GROUP BY names.workload
