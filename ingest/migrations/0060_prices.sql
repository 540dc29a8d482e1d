-- The user's price file rows (negotiated discounts, contract prices, custom and self-hosted models,
-- provisioned throughput), loaded like any other file (kind `prices`), applied in front of the catalog.
CREATE TABLE price_override (
    source_file_id  INTEGER NOT NULL,
    line_no         BIGINT,
    override_key    VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,      -- price | discount | hourly
    provider_raw    VARCHAR,               -- as the file wrote it
    provider        VARCHAR,               -- normalized provider key (openai, anthropic, aws, google, azure, self-hosted, ...)
    model           VARCHAR,               -- a model id or a glob (claude-*), matched to canonical and raw names
    service_tier    VARCHAR,               -- only requests of this tier (standard, batch, priority, flex); NULL = all
    input           DECIMAL(38, 12),       -- USD per 1M tokens (kind price)
    output          DECIMAL(38, 12),
    cache_read      DECIMAL(38, 12),
    cache_write     DECIMAL(38, 12),       -- 5-minute cache writes
    cache_write_1h  DECIMAL(38, 12),
    percent         DECIMAL(38, 12),       -- % off the catalog price (kind discount)
    usd_per_hour    DECIMAL(38, 12),       -- per unit and hour (kind hourly)
    units           DECIMAL(38, 12),       -- e.g. provisioned throughput units (PTUs) or GPUs
    effective_from  DATE,                  -- inclusive, UTC
    effective_to    DATE,                  -- exclusive
    note            VARCHAR
);

-- Which price applied to which requests, when: one row per (provider, model as logged, service tier,
-- validity interval), written whenever requests are priced (ingest, price-file changes, reprice).
CREATE TABLE price_applied (
    provider            VARCHAR,
    model_raw           VARCHAR,
    model               VARCHAR,
    service_tier        VARCHAR NOT NULL,
    valid_from          TIMESTAMP NOT NULL,
    valid_to            TIMESTAMP NOT NULL,
    tod_start           TIME,              -- time-of-day window (off-peak prices), UTC; NULL = all day
    tod_end             TIME,
    source              VARCHAR NOT NULL,  -- catalog | contract | hourly | unpriced
    price_provider      VARCHAR,           -- the catalog's provider id
    price_model         VARCHAR,           -- the catalog's model id
    catalog_version     VARCHAR,
    overrides           VARCHAR,           -- discounts/contract rows applied, with file and line
    input_mtok          DECIMAL(38, 12),   -- USD per 1M tokens, after overrides (the base tier)
    cache_read_mtok     DECIMAL(38, 12),
    cache_write_mtok    DECIMAL(38, 12),
    cache_write_1h_mtok DECIMAL(38, 12),
    output_mtok         DECIMAL(38, 12),
    reasoning_mtok      DECIMAL(38, 12),
    request_fee         DECIMAL(38, 12),   -- USD per request
    tiers               JSON,              -- long-context tiers: [{"above": tokens, "input": .., "output": ..}, ...]
    usd_per_hour        DECIMAL(38, 12),   -- hourly (self-hosted, provisioned) cost shared by the hour's requests
    basis               VARCHAR NOT NULL   -- the text written to requests.cost_basis
);

CREATE VIEW prices AS
SELECT provider, model, model_raw, service_tier, valid_from, valid_to, tod_start, tod_end, source,
       price_provider, price_model, catalog_version, overrides, input_mtok, cache_read_mtok,
       cache_write_mtok, cache_write_1h_mtok, output_mtok, reasoning_mtok, request_fee, tiers,
       usd_per_hour, basis
FROM price_applied;
