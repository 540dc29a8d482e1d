-- sql/workload_groups.sql's result (sums per workload, model, provider, long-context band, half of the
-- period, status and the two flags) from the daily rollup instead of the requests: about 4,500 rows
-- at 10M requests instead of 10M (docs/performance.md, session 5). Exact, not estimated
-- (tests/test_analytics_speed.py holds the two equal), because every key is a rollup column or
-- follows from one, except on one day:
-- - the band: {above} counts the rollup's `input_band` edges that are the analysis's thresholds
--   (queries.workloads uses this query only when every threshold is one of `rollup_band`'s edges);
-- - the half of the period: a day before the midpoint's day is early, a day after it late; the
--   midpoint's own day ({mid_day}, with the midpoint {mid} from sql/workload_span.sql: literals
--   computed from the store, not user input) is read from its requests, each by its timestamp.
-- {above_requests}: the band of one request, as in sql/workload_groups.sql.
WITH {workload_requests},
d AS (
    SELECT {workload_key} AS workload, r.*
    FROM request_daily r JOIN keyed k ON k.id = r.source_file_id
    WHERE ($start IS NULL OR r.day >= CAST($start AS DATE))
      AND ($end IS NULL OR r.day < CAST($end AS DATE))
      AND r.day <> {mid_day}
),
g AS (
    SELECT r.workload, r.model, r.provider, {above} AS above, r.day > {mid_day} AS late,
           r.status, r.has_tools, r.structured_output,
           sum(r.requests) AS requests, sum(r.cost) AS cost, sum(r.unpriced_requests) AS unpriced_requests,
           max(r.max_total_tokens) AS max_total_tokens,
           sum(r.uncached_input_tokens) AS uncached_input_tokens, sum(r.cache_read_tokens) AS cache_read_tokens,
           sum(r.cache_write_tokens) AS cache_write_tokens, sum(r.cache_write_1h_tokens) AS cache_write_1h_tokens,
           sum(r.output_tokens) AS output_tokens, sum(r.reasoning_tokens) AS reasoning_tokens
    FROM d r
    GROUP BY ALL
    UNION ALL BY NAME
    SELECT s.workload, s.model, s.provider, {above_requests} AS above, s.ts >= {mid} AS late,
           s.status, s.has_tools, s.structured_output,
           count(*) AS requests, sum(s.cost) AS cost, count(*) - count(s.cost) AS unpriced_requests,
           max(s.input_tokens + s.output_tokens) AS max_total_tokens,
           sum(s.uncached_input_tokens) AS uncached_input_tokens, sum(s.cache_read_tokens) AS cache_read_tokens,
           sum(s.cache_write_tokens) AS cache_write_tokens, sum(s.cache_write_1h_tokens) AS cache_write_1h_tokens,
           sum(s.output_tokens) AS output_tokens, sum(s.reasoning_tokens) AS reasoning_tokens
    FROM wr s
    WHERE s.ts >= CAST({mid_day} AS TIMESTAMP) AND s.ts < CAST({mid_day} AS TIMESTAMP) + INTERVAL 1 DAY
    GROUP BY ALL
)
SELECT workload, model, provider, above, late, status, has_tools, structured_output,
       CAST($t0 AS TIMESTAMP) AS t0, CAST($t1 AS TIMESTAMP) AS t1,
       CAST(sum(requests) AS BIGINT) AS requests,
       sum(cost) AS cost,
       CAST(sum(unpriced_requests) AS BIGINT) AS unpriced_requests,
       max(max_total_tokens) AS max_total_tokens,
       CAST(sum(uncached_input_tokens) AS BIGINT) AS uncached_input_tokens,
       CAST(sum(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
       CAST(sum(cache_write_tokens) AS BIGINT) AS cache_write_tokens,
       CAST(sum(cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
       CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
       CAST(sum(reasoning_tokens) AS BIGINT) AS reasoning_tokens
FROM g
GROUP BY workload, model, provider, above, late, status, has_tools, structured_output
