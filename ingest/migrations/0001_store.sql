-- The registry of loaded files, their rejected lines, and the billing table.
CREATE SEQUENCE IF NOT EXISTS source_file_id_seq START 1;

CREATE TABLE source_file (
    id            INTEGER PRIMARY KEY DEFAULT nextval('source_file_id_seq'),
    sha256        VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,      -- original file name as given (never used as a path)
    format        VARCHAR,               -- detected or forced reader name
    kind          VARCHAR,               -- billing | requests | evals | prices
    bytes         BIGINT,
    rows_loaded   BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    rows_duplicate BIGINT NOT NULL DEFAULT 0,
    rows_warned   BIGINT NOT NULL DEFAULT 0, -- rows kept, but with a reason worth reading
    ingested_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    status        VARCHAR NOT NULL,      -- loaded | failed | removed
    error         VARCHAR
);

CREATE TABLE ingest_rejects (
    source_file_id INTEGER NOT NULL,
    file           VARCHAR NOT NULL,
    line           BIGINT,               -- 1-based line in the file (header = line 1), or record number for JSON
    record         VARCHAR,              -- a short excerpt of the rejected record
    reason         VARCHAR NOT NULL,
    action         VARCHAR NOT NULL DEFAULT 'rejected'  -- rejected | kept (loaded, with a warning)
);

-- One row per billed line, FOCUS 1.2 names; x_ columns for what FOCUS lacks.
CREATE TABLE billing_line (
    source_file_id      INTEGER NOT NULL,
    line_key            VARCHAR NOT NULL,  -- provider's natural line identity (dedupe across files)
    line_no             BIGINT,
    BilledCost          DECIMAL(38, 12),
    EffectiveCost       DECIMAL(38, 12),
    ListCost            DECIMAL(38, 12),
    ContractedCost      DECIMAL(38, 12),
    BillingCurrency     VARCHAR,
    BillingPeriodStart  TIMESTAMP,
    BillingPeriodEnd    TIMESTAMP,
    ChargePeriodStart   TIMESTAMP,
    ChargePeriodEnd     TIMESTAMP,
    ChargeCategory      VARCHAR,
    ChargeClass         VARCHAR,
    ChargeDescription   VARCHAR,
    ChargeFrequency     VARCHAR,
    BillingAccountId    VARCHAR,
    BillingAccountName  VARCHAR,
    ProviderName        VARCHAR,
    PublisherName       VARCHAR,
    InvoiceIssuerName   VARCHAR,
    ServiceName         VARCHAR,
    ServiceCategory     VARCHAR,
    SubAccountId        VARCHAR,
    SubAccountName      VARCHAR,
    RegionId            VARCHAR,
    RegionName          VARCHAR,
    ResourceId          VARCHAR,
    ResourceName        VARCHAR,
    SkuId               VARCHAR,
    SkuPriceId          VARCHAR,
    PricingCategory     VARCHAR,
    ConsumedQuantity    DECIMAL(38, 12),
    ConsumedUnit        VARCHAR,
    PricingQuantity     DECIMAL(38, 12),
    PricingUnit         VARCHAR,
    ListUnitPrice       DECIMAL(38, 12),
    ContractedUnitPrice DECIMAL(38, 12),
    Tags                JSON,
    x_Model             VARCHAR,
    x_ModelRaw          VARCHAR,
    x_TokenType         VARCHAR,           -- input | cache_read | cache_write_5m | cache_write_1h | output | reasoning | other
    x_Tokens            DOUBLE,            -- token count, already scaled from 1K/1M blocks
    x_ServiceTier       VARCHAR,           -- standard | batch | priority | flex | provisioned | ...
    x_Requests          BIGINT,            -- model requests, where the source says
    x_LineType          VARCHAR            -- cost: a line with money | usage: token counts only (usage reports)
);

CREATE VIEW billing AS
SELECT
    b.BilledCost, b.EffectiveCost, b.ListCost, b.ContractedCost, b.BillingCurrency,
    b.BillingPeriodStart, b.BillingPeriodEnd, b.ChargePeriodStart, b.ChargePeriodEnd,
    b.ChargeCategory, b.ChargeClass, b.ChargeDescription, b.ChargeFrequency,
    b.BillingAccountId, b.BillingAccountName, b.ProviderName, b.PublisherName, b.InvoiceIssuerName,
    b.ServiceName, b.ServiceCategory, b.SubAccountId, b.SubAccountName, b.RegionId, b.RegionName,
    b.ResourceId, b.ResourceName, b.SkuId, b.SkuPriceId, b.PricingCategory,
    b.ConsumedQuantity, b.ConsumedUnit, b.PricingQuantity, b.PricingUnit,
    b.ListUnitPrice, b.ContractedUnitPrice, b.Tags,
    b.x_Model, b.x_ModelRaw, b.x_TokenType, b.x_Tokens, b.x_ServiceTier, b.x_Requests,
    coalesce(b.x_LineType, 'cost') AS x_LineType,
    f.name AS x_SourceFile, f.format AS x_SourceFormat, b.line_no AS x_SourceLine
FROM billing_line b
JOIN source_file f ON f.id = b.source_file_id
WHERE f.status = 'loaded';
