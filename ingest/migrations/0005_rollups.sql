-- Daily rollup of the requests view, kept per source file so loading, removing and re-pricing a
-- file only touch its own rows. Pages read this instead of scanning every request.
CREATE TABLE request_daily (
    source_file_id        INTEGER NOT NULL,
    day                   DATE NOT NULL,
    provider              VARCHAR,
    model                 VARCHAR,
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
    latency_ms_count      BIGINT NOT NULL
);

CREATE VIEW requests_daily AS
SELECT d.* EXCLUDE (source_file_id), f.name AS source_file
FROM request_daily d JOIN source_file f ON f.id = d.source_file_id
WHERE f.status = 'loaded';
