-- One row per workload: volume, spend, token shape, features used, errors, latency and trend.
-- Spend is requests.cost (our catalog price); unpriced requests are counted, never priced as 0.
-- Reads no request: rs_groups is sql/workload_groups.sql's result (sums per workload, model,
-- provider, long-context band and half of the period) and rs_quant sql/workload_quantiles.sql's
-- (the percentiles), both registered by queries.workloads. Every figure is the same expression over
-- the same integer and DECIMAL sums as when it was computed from the requests directly
-- (tests/test_analytics_speed.py holds it equal to that query, tests/fixtures/reference_sql).
WITH mix AS (
    SELECT workload, model, CAST(sum(requests) AS BIGINT) AS n, sum(cost) AS spend,
           sum(requests) / sum(sum(requests)) OVER (PARTITION BY workload) AS share
    FROM rs_groups GROUP BY workload, model
),
top AS (
    SELECT workload,
           arg_max(model, coalesce(spend, 0) * 1e9 + n) AS current_model,
           string_agg(model || ' ' || CAST(round(100.0 * share, 1) AS VARCHAR) || '%',
                      ', ' ORDER BY n DESC, model) AS model_mix,
           count(*) AS models
    FROM mix GROUP BY workload
),
g AS (
    SELECT workload, any_value(t0) AS t0, any_value(t1) AS t1,
           CAST(sum(requests) AS BIGINT) AS requests, sum(cost) AS cost,
           CAST(sum(unpriced_requests) AS BIGINT) AS unpriced_requests,
           max(max_total_tokens) AS max_total_tokens,
           CAST(sum(uncached_input_tokens) + sum(cache_read_tokens) + sum(cache_write_tokens)
                + sum(cache_write_1h_tokens) AS BIGINT) AS input_tokens,
           CAST(sum(uncached_input_tokens) AS BIGINT) AS uncached_input_tokens,
           CAST(sum(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
           CAST(sum(cache_write_tokens) AS BIGINT) AS cache_write_tokens,
           CAST(sum(cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
           CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
           CAST(sum(reasoning_tokens) AS BIGINT) AS reasoning_tokens,
           -- the flags and status are group keys: a share is the requests that say yes over those
           -- that say at all, as avg() over the requests was
           CAST(coalesce(sum(requests) FILTER (WHERE has_tools IS NOT NULL), 0) AS BIGINT) AS tools_known,
           CAST(sum(requests) FILTER (WHERE has_tools) AS BIGINT) AS tools,
           CAST(coalesce(sum(requests) FILTER (WHERE structured_output IS NOT NULL), 0) AS BIGINT) AS structured_known,
           CAST(sum(requests) FILTER (WHERE structured_output) AS BIGINT) AS structured,
           CAST(coalesce(sum(requests) FILTER (WHERE status IS NOT NULL), 0) AS BIGINT) AS status_known,
           CAST(coalesce(sum(requests) FILTER (WHERE lower(status) IN ('error', 'failed', 'fail')), 0) AS BIGINT)
               AS errors,
           CAST(coalesce(sum(requests) FILTER (WHERE late), 0) AS BIGINT) AS late,
           CAST(coalesce(sum(requests) FILTER (WHERE NOT late), 0) AS BIGINT) AS early
    FROM rs_groups GROUP BY workload
)
SELECT g.workload, current_model, model_mix, models, requests, cost, unpriced_requests,
       epoch(t1 - t0) / 86400.0 AS period_days,
       requests * 30.4375 * 86400.0 / greatest(epoch(t1 - t0), 1) AS requests_per_month,
       cost * 30.4375 * 86400.0 / greatest(epoch(t1 - t0), 1) AS cost_per_month,
       input_q[1] AS input_p50, input_q[2] AS input_p95, input_q[3] AS input_p99,
       output_q[1] AS output_p50, output_q[2] AS output_p95, output_q[3] AS output_p99,
       max_total_tokens,
       output_tokens / nullif(input_tokens, 0) AS output_input_ratio,
       cache_read_tokens / nullif(input_tokens, 0) AS cache_read_share,
       reasoning_tokens / nullif(output_tokens, 0) AS reasoning_share,
       coalesce(tools, 0) / nullif(tools_known, 0) AS tool_share,
       coalesce(structured, 0) / nullif(structured_known, 0) AS structured_share,
       errors / nullif(status_known, 0) AS error_rate,
       latency_q[1] AS latency_p50_ms, latency_q[2] AS latency_p95_ms,
       -- trend: requests in the second half of the period against the first half (0.25 = +25%)
       late / nullif(early, 0) - 1 AS trend,
       uncached_input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,
       reasoning_tokens
FROM g
JOIN top USING (workload)
JOIN rs_quant q USING (workload)
ORDER BY cost DESC NULLS LAST, requests DESC, workload
