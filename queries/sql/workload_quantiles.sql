-- Per workload, the exact percentiles of its requests' input and output tokens (quantile_disc) and
-- latency (quantile_cont). Quantiles of one column are computed together, as a list: one sort
-- instead of three (docs/performance.md). The only figures of a profile that are not sums.
WITH {workload_requests}
SELECT workload,
       quantile_disc(input_tokens, [0.5, 0.95, 0.99]) AS input_q,
       quantile_disc(output_tokens, [0.5, 0.95, 0.99]) AS output_q,
       quantile_cont(latency_ms, [0.5, 0.95]) AS latency_q
FROM wr
GROUP BY workload
