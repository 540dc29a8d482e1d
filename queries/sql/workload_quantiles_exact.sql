-- Per workload, the exact percentiles of its requests' input and output tokens (quantile_disc) and
-- latency (quantile_cont), sorting every request of the period. Quantiles of one column are computed
-- together, as a list: one sort instead of three (docs/performance.md). Used only when a period bound
-- has a time of day, which the day-keyed histogram cannot answer (workload_quantiles.sql reads that
-- otherwise); tests/fixtures/reference_sql/workload_quantiles.sql is this query as it was.
WITH {workload_requests}
SELECT workload,
       quantile_disc(input_tokens, [0.5, 0.95, 0.99]) AS input_q,
       quantile_disc(output_tokens, [0.5, 0.95, 0.99]) AS output_q,
       quantile_cont(latency_ms, [0.5, 0.95]) AS latency_q
FROM wr
GROUP BY workload
