-- The requests of the period, each with its workload. A fragment: other queries embed it as the CTE
-- `wr` (queries.workloads.fragments fills it). The key is chosen per source file by workload_rule
-- (glob on the file name, lowest priority first), else $default_key (workload_keyed.sql); the
-- workload is that key's attribute (workload_key.sql).
-- The key is resolved once per loaded file (`keyed`), and the requests are read from request_log
-- joined to it by file id, with the `requests` view's columns (ingest/migrations/0002_requests.sql):
-- the same rows as `requests`, without a string join on the file name and with the common key
-- ('auto') tested first, which was a third of a profile pass at 10M requests (docs/performance.md).
{workload_keyed},
-- NOT MATERIALIZED: a query that reads wr twice scans the table twice rather than holding every
-- request's columns in memory (2 GB at 10M requests; docs/performance.md).
wr AS NOT MATERIALIZED (
    SELECT
        {workload_key} AS workload,
        r.request_id, r.ts, r.provider, r.model, r.model_raw,
        r.feature, r.app, r.route, r.prompt_name, r.team, r."user", r.api_key, r.project, r.trace_id, r.tags,
        r.uncached_input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens,
        r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens AS input_tokens,
        r.output_tokens, r.reasoning_tokens, r.service_tier, r.latency_ms, r.status,
        r.has_tools, r.structured_output,
        r.logged_cost, r.logged_currency, r.cost, (SELECT list(basis ORDER BY id) FROM price_basis)[r.basis_id] AS cost_basis,
        r.prompt_chars, r.response_chars, r.prompt_hash,
        k.name AS source_file, r.line_no AS source_line
    FROM request_log r
    JOIN keyed k ON k.id = r.source_file_id
    WHERE ($start IS NULL OR r.ts >= CAST($start AS TIMESTAMP))
      AND ($end IS NULL OR r.ts < CAST($end AS TIMESTAMP))
)
