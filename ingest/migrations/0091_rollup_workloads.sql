-- Workload profiles and the savings analysis from the daily rollup (issue 8, docs/performance.md
-- session 5): the rollup gains what their group pass reads per request and the rollup lacked.
-- - has_tools, structured_output: group keys (the tool and structured-output shares).
-- - input_band: how many of `rollup_band`'s edges the request's input (all four kinds) exceeds, so
--   the long-context bands the analysis splits input at (the candidate models' tier thresholds)
--   are sums of whole rows when every threshold is one of those edges.
-- - first_ts, last_ts: the earliest and latest request (the period's span when it is not given).
-- - max_total_tokens: the largest input + output of one request (the context a candidate needs).
-- The edges are every long-context threshold of the bundled price catalog (genai-prices 0.0.x);
-- a threshold missing here sends the analysis to the requests (exact, slower), and
-- tests/test_rollups.py fails when the catalog gains one, so a later migration adds it.
CREATE TABLE IF NOT EXISTS rollup_band (edge BIGINT PRIMARY KEY);
INSERT OR IGNORE INTO rollup_band VALUES (32000), (100000), (128000), (199999), (200000), (256000), (272000), (512000),
    (524288);

ALTER TABLE request_daily ADD COLUMN IF NOT EXISTS has_tools BOOLEAN;
ALTER TABLE request_daily ADD COLUMN IF NOT EXISTS structured_output BOOLEAN;
ALTER TABLE request_daily ADD COLUMN IF NOT EXISTS input_band INTEGER DEFAULT 0;
ALTER TABLE request_daily ADD COLUMN IF NOT EXISTS first_ts TIMESTAMP;
ALTER TABLE request_daily ADD COLUMN IF NOT EXISTS last_ts TIMESTAMP;
ALTER TABLE request_daily ADD COLUMN IF NOT EXISTS max_total_tokens BIGINT DEFAULT 0;

DELETE FROM request_daily;

INSERT INTO request_daily BY NAME
SELECT source_file_id, CAST(ts AS DATE) AS day, provider, model, model_raw, feature, app, route, prompt_name, team,
       project, api_key, service_tier, status, has_tools, structured_output,
       CASE WHEN i <= 32000 THEN 0 WHEN i <= 100000 THEN 1 WHEN i <= 128000 THEN 2 WHEN i <= 199999 THEN 3
            WHEN i <= 200000 THEN 4 WHEN i <= 256000 THEN 5 WHEN i <= 272000 THEN 6 WHEN i <= 512000 THEN 7
            WHEN i <= 524288 THEN 8 ELSE 9 END AS input_band,
       count(*) AS requests, sum(uncached_input_tokens) AS uncached_input_tokens,
       sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
       sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(output_tokens) AS output_tokens,
       sum(reasoning_tokens) AS reasoning_tokens, sum(cost) AS cost,
       count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests, sum(logged_cost) AS logged_cost,
       sum(latency_ms) AS latency_ms_sum, count(latency_ms) AS latency_ms_count,
       max(i) AS max_input_tokens, max(output_tokens) AS max_output_tokens,
       min(ts) AS first_ts, max(ts) AS last_ts, max(i + output_tokens) AS max_total_tokens
FROM (SELECT *, uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens AS i
      FROM request_log)
GROUP BY ALL;
