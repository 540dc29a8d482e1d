-- One row per workload: volume, spend, token shape, features used, errors, latency and trend.
-- Spend is requests.cost (our catalog price); unpriced requests are counted, never priced as 0.
WITH {workload_requests},
span AS (
    SELECT coalesce(CAST($start AS TIMESTAMP), min(ts)) AS t0,
           coalesce(CAST($end AS TIMESTAMP), max(ts) + INTERVAL 1 SECOND) AS t1
    FROM wr
),
mix AS (
    SELECT workload, model, count(*) AS n, sum(cost) AS spend,
           count(*) / sum(count(*)) OVER (PARTITION BY workload) AS share
    FROM wr GROUP BY workload, model
),
top AS (
    SELECT workload,
           arg_max(model, coalesce(spend, 0) * 1e9 + n) AS current_model,
           string_agg(model || ' ' || CAST(round(100.0 * share, 1) AS VARCHAR) || '%',
                      ', ' ORDER BY n DESC, model) AS model_mix,
           count(*) AS models
    FROM mix GROUP BY workload
)
-- Quantiles of one column are computed together, as a list (one sort instead of three), and the
-- model mix joins the 25-odd aggregated rows, not the requests (docs/performance.md).
SELECT workload, current_model, model_mix, models, requests, cost, unpriced_requests, period_days,
       requests_per_month, cost_per_month,
       input_q[1] AS input_p50, input_q[2] AS input_p95, input_q[3] AS input_p99,
       output_q[1] AS output_p50, output_q[2] AS output_p95, output_q[3] AS output_p99,
       max_total_tokens, output_input_ratio, cache_read_share, reasoning_share, tool_share, structured_share,
       error_rate, latency_q[1] AS latency_p50_ms, latency_q[2] AS latency_p95_ms, trend,
       uncached_input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,
       reasoning_tokens
FROM (
SELECT
    wr.workload,
    count(*) AS requests,
    sum(wr.cost) AS cost,
    count(*) FILTER (WHERE wr.cost IS NULL) AS unpriced_requests,
    epoch(span.t1 - span.t0) / 86400.0 AS period_days,
    count(*) * 30.4375 * 86400.0 / greatest(epoch(span.t1 - span.t0), 1) AS requests_per_month,
    sum(wr.cost) * 30.4375 * 86400.0 / greatest(epoch(span.t1 - span.t0), 1) AS cost_per_month,
    quantile_disc(wr.input_tokens, [0.5, 0.95, 0.99]) AS input_q,
    quantile_disc(wr.output_tokens, [0.5, 0.95, 0.99]) AS output_q,
    max(wr.input_tokens + wr.output_tokens) AS max_total_tokens,
    sum(wr.output_tokens) / nullif(sum(wr.input_tokens), 0) AS output_input_ratio,
    sum(wr.cache_read_tokens) / nullif(sum(wr.input_tokens), 0) AS cache_read_share,
    sum(wr.reasoning_tokens) / nullif(sum(wr.output_tokens), 0) AS reasoning_share,
    avg(CAST(wr.has_tools AS INTEGER)) AS tool_share,
    avg(CAST(wr.structured_output AS INTEGER)) AS structured_share,
    avg(CASE WHEN wr.status IS NULL THEN NULL WHEN lower(wr.status) IN ('error', 'failed', 'fail') THEN 1 ELSE 0 END)
        AS error_rate,
    quantile_cont(wr.latency_ms, [0.5, 0.95]) AS latency_q,
    -- trend: requests in the second half of the period against the first half (0.25 = +25%)
    count(*) FILTER (WHERE wr.ts >= span.t0 + (span.t1 - span.t0) / 2)
        / nullif(count(*) FILTER (WHERE wr.ts < span.t0 + (span.t1 - span.t0) / 2), 0)
        - 1 AS trend,
    CAST(sum(wr.uncached_input_tokens) AS BIGINT) AS uncached_input_tokens,
    CAST(sum(wr.cache_read_tokens) AS BIGINT) AS cache_read_tokens,
    CAST(sum(wr.cache_write_tokens) AS BIGINT) AS cache_write_tokens,
    CAST(sum(wr.cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
    CAST(sum(wr.output_tokens) AS BIGINT) AS output_tokens,
    CAST(sum(wr.reasoning_tokens) AS BIGINT) AS reasoning_tokens
FROM wr
CROSS JOIN span
GROUP BY wr.workload, span.t0, span.t1
) p
JOIN top USING (workload)
ORDER BY cost DESC NULLS LAST, requests DESC, workload
