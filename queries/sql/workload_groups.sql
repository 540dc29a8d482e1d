-- The one pass over the period's requests that workload profiles and the savings analysis share:
-- sums per workload, model, provider (lower case), long-context band and half of the period. Every
-- profile figure but the percentiles, the model mix, the current provider and the candidate costs'
-- token sums are sums of these few hundred rows (docs/performance.md, session 4), so the requests
-- are read once for all of them instead of once per result.
-- above: how many of the long-context thresholds ({above}: one bound $edge_N per threshold, built by
-- queries.workloads) the request's input exceeds; late: the request is in the second half of the
-- period (the trend). provider as logged (the callers fold case over these few rows); the span
-- (t0, t1) is one value, so it is carried by any_value, not grouped by.
-- unc_c / cr_c: input moved to cache reads for a $cache_target share of input read from the cache
-- (never more than the uncached input there is); NULL target: no shift.
WITH {workload_requests},
span AS (
    SELECT coalesce(CAST($start AS TIMESTAMP), min(ts)) AS t0,
           coalesce(CAST($end AS TIMESTAMP), max(ts) + INTERVAL 1 SECOND) AS t1
    FROM wr
),
shifted AS (
    SELECT wr.*,
           CASE WHEN $cache_target IS NULL THEN 0.0
                ELSE least(uncached_input_tokens, greatest(0.0, $cache_target * input_tokens - cache_read_tokens))
           END AS shift
    FROM wr
)
SELECT s.workload, s.model, s.provider,
       {above} AS above,
       s.ts >= span.t0 + (span.t1 - span.t0) / 2 AS late,
       any_value(span.t0) AS t0, any_value(span.t1) AS t1,
       count(*) AS requests,
       sum(s.cost) AS cost,
       count(*) FILTER (WHERE s.cost IS NULL) AS unpriced_requests,
       max(s.input_tokens + s.output_tokens) AS max_total_tokens,
       CAST(sum(s.input_tokens) AS BIGINT) AS input_tokens,
       CAST(sum(s.uncached_input_tokens) AS BIGINT) AS uncached_input_tokens,
       CAST(sum(s.cache_read_tokens) AS BIGINT) AS cache_read_tokens,
       CAST(sum(s.cache_write_tokens) AS BIGINT) AS cache_write_tokens,
       CAST(sum(s.cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
       CAST(sum(s.output_tokens) AS BIGINT) AS output_tokens,
       CAST(sum(s.reasoning_tokens) AS BIGINT) AS reasoning_tokens,
       sum(s.uncached_input_tokens - s.shift) AS unc_c,
       sum(s.cache_read_tokens + s.shift) AS cr_c,
       count(s.has_tools) AS tools_known, CAST(sum(CAST(s.has_tools AS INTEGER)) AS BIGINT) AS tools,
       count(s.structured_output) AS structured_known,
       CAST(sum(CAST(s.structured_output AS INTEGER)) AS BIGINT) AS structured,
       count(s.status) AS status_known,
       count(*) FILTER (WHERE lower(s.status) IN ('error', 'failed', 'fail')) AS errors
FROM shifted s
CROSS JOIN span
GROUP BY s.workload, s.model, s.provider, above, late
