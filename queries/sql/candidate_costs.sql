-- What each workload's own requests would cost on each model in rs_rates (USD per 1M tokens,
-- registered by queries.rightsizing), priced so long-context tiers apply per request: cost_base
-- with the tokens as logged, cost_cache with the scan's cache-hit target of input tokens read from
-- the cache (uncached input moved to cache reads, never more than there is).
-- own_cost_* price each request on its own current model (the same catalog), for ratios.
-- Reads no request: rs_groups is sql/workload_groups.sql's result for this period, split at the
-- long-context thresholds $edges (sorted, distinct, a superset of rs_rates' thresholds) and summed
-- with the same cache target. A group's "above" is how many edges its requests' input exceeds, so
-- input_tokens > the k-th edge exactly when above >= k: the few grouped rows, not every request,
-- are crossed with the thresholds (docs/performance.md).
WITH th AS (SELECT DISTINCT long_context_threshold AS threshold FROM rs_rates),
edges AS (SELECT CAST($edges AS BIGINT[]) AS e),
b AS (
    SELECT workload, model AS own_model, above,
           sum(uncached_input_tokens) AS unc, sum(cache_read_tokens) AS cr,
           sum(unc_c) AS unc_c, sum(cr_c) AS cr_c,
           sum(cache_write_tokens) AS cw5, sum(cache_write_1h_tokens) AS cw1h, sum(output_tokens) AS out
    FROM rs_groups
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
