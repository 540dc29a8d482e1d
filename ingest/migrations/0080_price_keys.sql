-- Re-pricing speed (issue 8). A request's cost basis was a text (about 70 bytes) rewritten on every
-- request at every re-price: most of a 10M-request re-price's time and of a 10M-row ingest's peak
-- memory (an UPDATE keeps old and new values in memory). Requests now carry a small key into
-- `price_basis`, a dictionary of basis texts that only grows; the `requests` view keeps its
-- `cost_basis` text column (docs/store.md), looked up at read time.
CREATE TABLE price_basis (
    id     INTEGER PRIMARY KEY,         -- 1, 2, 3, ... with no gaps (the view indexes a list by it)
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
    r.logged_cost, r.logged_currency, r.cost,
    -- a lookup in the (small) list of texts rather than a join: DuckDB drops it from queries that do
    -- not read cost_basis, where a LEFT JOIN cost a hash probe per request (+0.1 s per 10M scanned)
    (SELECT list(basis ORDER BY id) FROM price_basis)[r.basis_id] AS cost_basis,
    r.prompt_chars, r.response_chars, r.prompt_hash,
    f.name AS source_file, r.line_no AS source_line
FROM request_log r
JOIN source_file f ON f.id = r.source_file_id
WHERE f.status = 'loaded';

-- The daily rollup gains what a re-price needs to derive each row's new cost from its token sums
-- instead of re-aggregating every request (ingest/prices.py `_reprice_rollups`): the model as
-- logged (with provider, model and tier it names the row's price group) and the largest input and
-- output of its requests (a long-context tier may apply; costs fit in integers).
DROP VIEW requests_daily;
DROP TABLE request_daily;

CREATE TABLE request_daily (
    source_file_id        INTEGER NOT NULL,
    day                   DATE NOT NULL,
    provider              VARCHAR,
    model                 VARCHAR,
    model_raw             VARCHAR,
    feature               VARCHAR,
    app                   VARCHAR,
    route                 VARCHAR,
    prompt_name           VARCHAR,
    team                  VARCHAR,
    project               VARCHAR,
    api_key               VARCHAR,
    service_tier          VARCHAR,
    status                VARCHAR,
    requests              BIGINT NOT NULL,
    uncached_input_tokens BIGINT NOT NULL,
    cache_read_tokens     BIGINT NOT NULL,
    cache_write_tokens    BIGINT NOT NULL,
    cache_write_1h_tokens BIGINT NOT NULL,
    output_tokens         BIGINT NOT NULL,
    reasoning_tokens      BIGINT NOT NULL,
    cost                  DECIMAL(38, 12),     -- NULL when no request of the group is priced
    unpriced_requests     BIGINT NOT NULL,     -- requests whose cost is NULL
    logged_cost           DECIMAL(38, 12),
    latency_ms_sum        DOUBLE,
    latency_ms_count      BIGINT NOT NULL,
    max_input_tokens      BIGINT NOT NULL,     -- the largest input (all four kinds) of one request
    max_output_tokens     BIGINT NOT NULL
);

CREATE VIEW requests_daily AS
SELECT d.* EXCLUDE (source_file_id), f.name AS source_file
FROM request_daily d JOIN source_file f ON f.id = d.source_file_id
WHERE f.status = 'loaded';

INSERT INTO request_daily BY NAME
SELECT source_file_id, CAST(ts AS DATE) AS day, provider, model, model_raw, feature, app, route, prompt_name, team,
       project, api_key, service_tier, status,
       count(*) AS requests, sum(uncached_input_tokens) AS uncached_input_tokens,
       sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
       sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(output_tokens) AS output_tokens,
       sum(reasoning_tokens) AS reasoning_tokens, sum(cost) AS cost,
       count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests, sum(logged_cost) AS logged_cost,
       sum(latency_ms) AS latency_ms_sum, count(latency_ms) AS latency_ms_count,
       max(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) AS max_input_tokens,
       max(output_tokens) AS max_output_tokens
FROM request_log
GROUP BY ALL;
