-- The one pass over the period's requests that workload profiles and the savings analysis share:
-- request counts and sums per workload, model, provider, long-context band, half of the period,
-- status and the tools / structured-output flags. Every profile figure but the percentiles, the
-- model mix, the current provider and the candidate costs' token sums are sums of these few hundred
-- rows (docs/performance.md, session 4), so the requests are read once for all of them instead of
-- once per result. Status and the two flags are keys, not filtered aggregates: the error rate and
-- the shares are sums of `requests` over the groups (no per-request lower() or FILTER).
-- above: how many of the long-context thresholds (the "above" fragment: one bound $edge_N each, built by
-- queries.workloads) the request's input exceeds; late: the request is in the second half of the
-- period (the trend). provider as logged (the callers fold case over these rows); the span (t0, t1)
-- is one value, carried by any_value, not grouped by.
-- The "shift_sums" fragment: for a cache-hit target, unc_c / cr_c, the input moved to cache reads for a
-- $cache_target share of input read from the cache (never more than the uncached input there is);
-- without one the caller takes them as the logged sums.
WITH {workload_requests},
span AS (
    SELECT t0, t1, t0 + (t1 - t0) / 2 AS mid
    FROM (SELECT coalesce(CAST($start AS TIMESTAMP), min(ts)) AS t0,
                 coalesce(CAST($end AS TIMESTAMP), max(ts) + INTERVAL 1 SECOND) AS t1
          FROM wr)
)
SELECT s.workload, s.model, s.provider,
       {above} AS above,
       s.ts >= span.mid AS late,
       s.status, s.has_tools, s.structured_output,
       any_value(span.t0) AS t0, any_value(span.t1) AS t1,
       count(*) AS requests,
       sum(s.cost) AS cost,
       count(*) - count(s.cost) AS unpriced_requests,
       max(s.input_tokens + s.output_tokens) AS max_total_tokens,
       CAST(sum(s.uncached_input_tokens) AS BIGINT) AS uncached_input_tokens,
       CAST(sum(s.cache_read_tokens) AS BIGINT) AS cache_read_tokens,
       CAST(sum(s.cache_write_tokens) AS BIGINT) AS cache_write_tokens,
       CAST(sum(s.cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
       CAST(sum(s.output_tokens) AS BIGINT) AS output_tokens,
       CAST(sum(s.reasoning_tokens) AS BIGINT) AS reasoning_tokens{shift_sums}
FROM wr s
CROSS JOIN span
GROUP BY s.workload, s.model, s.provider, above, late, s.status, s.has_tools, s.structured_output
