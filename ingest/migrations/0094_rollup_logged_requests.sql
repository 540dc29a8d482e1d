-- Reconciliation speed (issue 8). The reconciliation splits each cell's logged cost into the part
-- on priced requests (their logged cost, or our price where the log gave none) and the part on
-- unpriced ones. From the daily rollup that is exact when a row's requests all carry a logged cost
-- or none does; the rollup now counts the requests with one (queries/reconcile.py). Existing rows
-- are rebuilt from their requests (the same aggregate as ingest/rollups.py), so every row has it.
DROP VIEW requests_daily;

ALTER TABLE request_daily ADD COLUMN logged_requests BIGINT;  -- count(logged_cost): requests with a logged cost

DELETE FROM request_daily;

INSERT INTO request_daily BY NAME
SELECT source_file_id, CAST(ts AS DATE) AS day, provider, model, model_raw, feature, app, route, prompt_name, team,
       project, api_key, service_tier, status, has_tools, structured_output,
       CASE WHEN i <= 32000 THEN 0 WHEN i <= 100000 THEN 1 WHEN i <= 128000 THEN 2 WHEN i <= 199999 THEN 3
            WHEN i <= 200000 THEN 4 WHEN i <= 256000 THEN 5 WHEN i <= 272000 THEN 6 WHEN i <= 512000 THEN 7
            WHEN i <= 524288 THEN 8 ELSE 9 END AS input_band,   -- rollup_band's edges (0091)
       count(*) AS requests, sum(uncached_input_tokens) AS uncached_input_tokens,
       sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
       sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(output_tokens) AS output_tokens,
       sum(reasoning_tokens) AS reasoning_tokens, sum(cost) AS cost,
       count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests, sum(logged_cost) AS logged_cost,
       sum(latency_ms) AS latency_ms_sum, count(latency_ms) AS latency_ms_count,
       max(i) AS max_input_tokens, max(output_tokens) AS max_output_tokens,
       min(ts) AS first_ts, max(ts) AS last_ts, max(i + output_tokens) AS max_total_tokens,
       count(logged_cost) AS logged_requests
FROM (SELECT *, uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens AS i
      FROM request_log)
GROUP BY ALL;

CREATE VIEW requests_daily AS
SELECT d.* EXCLUDE (source_file_id), f.name AS source_file
FROM request_daily d JOIN source_file f ON f.id = d.source_file_id
WHERE f.status = 'loaded';
