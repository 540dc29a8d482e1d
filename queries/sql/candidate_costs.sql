-- What each workload's own requests would cost on each model in rs_rates (USD per 1M tokens,
-- registered by queries.rightsizing), priced request by request so long-context tiers apply per
-- request: cost_base with the tokens as logged, cost_cache with $cache_target of input tokens read
-- from the cache (uncached input moved to cache reads, never more than there is).
-- own_cost_* price each request on its own current model (the same catalog), for ratios.
WITH {workload_requests},
th AS (SELECT DISTINCT long_context_threshold AS threshold FROM rs_rates),
shifted AS (
    SELECT workload, model, input_tokens, uncached_input_tokens, cache_read_tokens,
           cache_write_tokens, cache_write_1h_tokens, output_tokens,
           CASE WHEN $cache_target IS NULL THEN 0.0
                ELSE least(uncached_input_tokens, greatest(0.0, $cache_target * input_tokens - cache_read_tokens))
           END AS shift
    FROM wr
),
-- One pass over the requests: sums per workload, own model and how many thresholds the request's
-- input exceeds ("above"); input_tokens > the k-th smallest threshold exactly when above >= k. Then
-- the few grouped rows, not every request, are crossed with the thresholds (docs/performance.md).
edges AS (SELECT coalesce(list_sort(list(threshold) FILTER (WHERE threshold IS NOT NULL)), []) AS e FROM th),
b AS (
    SELECT s.workload, s.model AS own_model,
           len(list_filter(edges.e, lambda x: s.input_tokens > x)) AS above,
           sum(s.uncached_input_tokens) AS unc, sum(s.cache_read_tokens) AS cr,
           sum(s.uncached_input_tokens - s.shift) AS unc_c, sum(s.cache_read_tokens + s.shift) AS cr_c,
           sum(s.cache_write_tokens) AS cw5, sum(s.cache_write_1h_tokens) AS cw1h, sum(s.output_tokens) AS out
    FROM shifted s CROSS JOIN edges
    GROUP BY ALL
),
tok AS (
    SELECT b.workload, b.own_model, th.threshold,
           coalesce(b.above >= list_position(edges.e, th.threshold), false) AS long,
           sum(b.unc) AS unc, sum(b.cr) AS cr, sum(b.unc_c) AS unc_c, sum(b.cr_c) AS cr_c,
           sum(b.cw5) AS cw5, sum(b.cw1h) AS cw1h, sum(b.out) AS out
    FROM b CROSS JOIN th CROSS JOIN edges
    GROUP BY b.workload, b.own_model, th.threshold, long
),
priced AS (
    SELECT t.workload, t.own_model, r.model,
           CASE WHEN t.long THEN coalesce(r.long_context_input, r.input) ELSE r.input END AS in_rate,
           CASE WHEN t.long THEN coalesce(r.long_context_output, r.output) ELSE r.output END AS out_rate,
           coalesce(r.cache_read, r.input) AS cr_rate,
           coalesce(r.cache_write_5m, r.input) AS cw5_rate,
           coalesce(r.cache_write_1h, r.cache_write_5m, r.input) AS cw1h_rate,
           t.*
    FROM tok t JOIN rs_rates r ON r.long_context_threshold IS NOT DISTINCT FROM t.threshold
)
SELECT workload, model,
       sum(unc * in_rate + cr * cr_rate + cw5 * cw5_rate + cw1h * cw1h_rate + out * out_rate) / 1e6 AS cost_base,
       sum(unc_c * in_rate + cr_c * cr_rate + cw5 * cw5_rate + cw1h * cw1h_rate + out * out_rate) / 1e6 AS cost_cache,
       sum(CASE WHEN model = own_model THEN unc * in_rate + cr * cr_rate + cw5 * cw5_rate + cw1h * cw1h_rate + out * out_rate END) / 1e6 AS own_cost_base,
       sum(CASE WHEN model = own_model THEN unc_c * in_rate + cr_c * cr_rate + cw5 * cw5_rate + cw1h * cw1h_rate + out * out_rate END) / 1e6 AS own_cost_cache,
       sum(CASE WHEN model = own_model THEN 1 ELSE 0 END) AS own_groups
FROM priced
GROUP BY workload, model
ORDER BY workload, model
