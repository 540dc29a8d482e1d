-- Re-pricing speed (issue 8). A request's cost basis was a text (about 70 bytes) rewritten on every
-- request at every re-price: most of a 10M-request re-price's time and of a 10M-row ingest's peak
-- memory (an UPDATE keeps old and new values in memory). Requests now carry a small key into
-- `price_basis`, a dictionary of basis texts that only grows; the `requests` view keeps its
-- `cost_basis` text column (docs/store.md), joined in at read time.
CREATE TABLE price_basis (
    id     INTEGER PRIMARY KEY,
    basis  VARCHAR NOT NULL
);

INSERT INTO price_basis
SELECT CAST(row_number() OVER (ORDER BY cost_basis) AS INTEGER), cost_basis
FROM (SELECT DISTINCT cost_basis FROM request_log WHERE cost_basis IS NOT NULL);

ALTER TABLE request_log ADD COLUMN basis_id INTEGER;  -- price_basis.id; NULL only before pricing

UPDATE request_log SET basis_id = b.id FROM price_basis b WHERE b.basis = request_log.cost_basis;

DROP VIEW requests;

ALTER TABLE request_log DROP COLUMN cost_basis;

CREATE VIEW requests AS
SELECT
    r.request_id, r.ts, r.provider, r.model, r.model_raw,
    r.feature, r.app, r.route, r.prompt_name, r.team, r."user", r.api_key, r.project, r.trace_id, r.tags,
    r.uncached_input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens,
    r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens AS input_tokens,
    r.output_tokens, r.reasoning_tokens, r.service_tier, r.latency_ms, r.status,
    r.has_tools, r.structured_output,
    r.logged_cost, r.logged_currency, r.cost, b.basis AS cost_basis,
    r.prompt_chars, r.response_chars, r.prompt_hash,
    f.name AS source_file, r.line_no AS source_line
FROM request_log r
JOIN source_file f ON f.id = r.source_file_id
LEFT JOIN price_basis b ON b.id = r.basis_id
WHERE f.status = 'loaded';

-- The largest input of a rollup row's requests: a re-price derives a row's cost from its token
-- sums (exact: rates have 12 decimals) unless a long-context tier could apply to one of them.
ALTER TABLE request_daily ADD COLUMN max_input_tokens BIGINT;

DELETE FROM request_daily;

INSERT INTO request_daily
SELECT source_file_id, CAST(ts AS DATE) AS day, provider, model, feature, app, route, prompt_name, team, project,
       api_key, service_tier, status,
       count(*), sum(uncached_input_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
       sum(cache_write_1h_tokens), sum(output_tokens), sum(reasoning_tokens),
       sum(cost), count(*) FILTER (WHERE cost IS NULL), sum(logged_cost),
       sum(latency_ms), count(latency_ms),
       max(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens)
FROM request_log
GROUP BY ALL;
