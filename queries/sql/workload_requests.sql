-- The requests of the period, each with its workload. A fragment: other queries embed it as the CTE
-- `wr`. The key is chosen per source file by workload_rule (glob on the file name, lowest priority
-- first), else $default_key; 'auto' is the most specific attribute present: feature, prompt_name,
-- app + route, app, api_key, project.
-- The key is resolved once per loaded file (`keyed`), and the requests are read from request_log
-- joined to it by file id, with the `requests` view's columns (ingest/migrations/0002_requests.sql):
-- the same rows as `requests`, without a string join on the file name and with the common key
-- ('auto') tested first, which was a third of a profile pass at 10M requests (docs/performance.md).
-- a key the list below does not name (a rule written past set_workload_rule's check) means 'auto'
keyed AS (
    SELECT id, name,
           CASE WHEN key_name IN ('feature', 'prompt_name', 'app_route', 'app', 'route', 'api_key', 'project',
                                  'team') THEN key_name ELSE 'auto' END AS key_name
    FROM (
    SELECT f.id, f.name, coalesce(arg_min(w.workload_key, w.priority), $default_key) AS key_name
    FROM source_file f LEFT JOIN workload_rule w ON f.name GLOB w.source_pattern
    WHERE f.status = 'loaded'
    GROUP BY f.id, f.name
    )
),
-- NOT MATERIALIZED: a query that reads wr twice scans the table twice rather than holding every
-- request's columns in memory (2 GB at 10M requests; docs/performance.md).
wr AS NOT MATERIALIZED (
    SELECT
        CASE k.key_name
            WHEN 'auto' THEN coalesce(r.feature, r.prompt_name, r.app || ' ' || r.route, r.app, r.api_key,
                                      r.project, '(unattributed)')
            WHEN 'feature' THEN coalesce(r.feature, '(no feature)')
            WHEN 'prompt_name' THEN coalesce(r.prompt_name, '(no prompt_name)')
            WHEN 'app_route' THEN coalesce(r.app || ' ' || r.route, r.app, '(no app)')
            WHEN 'app' THEN coalesce(r.app, '(no app)')
            WHEN 'route' THEN coalesce(r.route, '(no route)')
            WHEN 'api_key' THEN coalesce(r.api_key, '(no api_key)')
            WHEN 'project' THEN coalesce(r.project, '(no project)')
            WHEN 'team' THEN coalesce(r.team, '(no team)')
        END AS workload,
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
