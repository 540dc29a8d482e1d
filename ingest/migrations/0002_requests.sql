-- One row per LLM request from a gateway or observability log.
CREATE TABLE request_log (
    source_file_id      INTEGER NOT NULL,
    line_no             BIGINT,
    request_id          VARCHAR NOT NULL,  -- the source's id, or a hash of the record when it has none
    ts                  TIMESTAMP NOT NULL, -- UTC
    provider            VARCHAR,
    model               VARCHAR,           -- canonical id (alias table)
    model_raw           VARCHAR,           -- as the source wrote it
    feature             VARCHAR,
    app                 VARCHAR,
    route               VARCHAR,
    prompt_name         VARCHAR,
    team                VARCHAR,
    "user"              VARCHAR,
    api_key             VARCHAR,
    project             VARCHAR,
    trace_id            VARCHAR,
    tags                JSON,
    uncached_input_tokens BIGINT NOT NULL DEFAULT 0,  -- input tokens billed at the plain input rate
    cache_read_tokens   BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens  BIGINT NOT NULL DEFAULT 0,    -- 5-minute (default TTL) cache writes
    cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens       BIGINT NOT NULL DEFAULT 0,    -- all output, reasoning included
    reasoning_tokens    BIGINT NOT NULL DEFAULT 0,    -- the part of output_tokens spent reasoning
    service_tier        VARCHAR,           -- standard | batch | priority | flex
    latency_ms          DOUBLE,
    status              VARCHAR,           -- ok | error
    has_tools           BOOLEAN,
    structured_output   BOOLEAN,
    logged_cost         DECIMAL(38, 12),   -- cost as the source said
    logged_currency     VARCHAR,
    cost                DECIMAL(38, 12),   -- our price for it (NULL = unpriced)
    cost_basis          VARCHAR,           -- which price row, catalog version, override applied
    prompt_chars        BIGINT,
    response_chars      BIGINT,
    prompt_hash         VARCHAR,
    prompt_text         VARCHAR,           -- only with --keep-text
    response_text       VARCHAR            -- only with --keep-text
);

CREATE VIEW requests AS
SELECT
    r.request_id, r.ts, r.provider, r.model, r.model_raw,
    r.feature, r.app, r.route, r.prompt_name, r.team, r."user", r.api_key, r.project, r.trace_id, r.tags,
    r.uncached_input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens,
    r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens AS input_tokens,
    r.output_tokens, r.reasoning_tokens, r.service_tier, r.latency_ms, r.status,
    r.has_tools, r.structured_output,
    r.logged_cost, r.logged_currency, r.cost, r.cost_basis,
    r.prompt_chars, r.response_chars, r.prompt_hash,
    f.name AS source_file, r.line_no AS source_line
FROM request_log r
JOIN source_file f ON f.id = r.source_file_id
WHERE f.status = 'loaded';
