-- The period's span and midpoint from the daily rollup, as sql/workload_groups.sql computes them from
-- the requests: t0 = $start, else the first request; t1 = $end, else one second after the last.
-- Only for whole-day bounds (the rollup's rows are days); queries.workloads decides.
WITH {workload_keyed}
SELECT t0, t1, t0 + (t1 - t0) / 2 AS mid
FROM (SELECT coalesce(CAST($start AS TIMESTAMP), min(d.first_ts)) AS t0,
             coalesce(CAST($end AS TIMESTAMP), max(d.last_ts) + INTERVAL 1 SECOND) AS t1
      FROM request_daily d JOIN keyed k ON k.id = d.source_file_id
      WHERE ($start IS NULL OR d.day >= CAST($start AS DATE))
        AND ($end IS NULL OR d.day < CAST($end AS DATE)))
