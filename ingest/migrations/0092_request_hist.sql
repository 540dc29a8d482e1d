-- Histograms of the requests' input tokens, output tokens and latency, per source file, day and the
-- seven attributes a workload key can name (queries/sql/workload_key.sql), maintained on ingest
-- (ingest/hist.py). Workload percentiles are read from these rows instead of sorting every request
-- of the period (queries/sql/workload_quantiles.sql, docs/performance.md "Session 5").
--
-- Two tables behind the view `request_hist`: `request_hist_key` numbers each (file, day, attributes)
-- (a few thousand rows), `request_hist_bin` holds the counts by that number, metric and bin (a few
-- million at 10M requests). Integers only in the big table: binning a file groups integers, not
-- seven strings (half the ingest CPU), and a percentile query joins the bins to the few keys'
-- workloads instead of hashing strings per bin (3x faster; docs/performance.md).
--
-- Bins (the rs_hist_* macros below, kept in the store so the loader, this migration and the queries
-- bin alike): every value from -1024 to 1024 is a bin of its own (exact, so the prior rules'
-- thresholds of 300, 800 and 1,000 tokens decide as on the requests); above, 128 log-spaced bins
-- per power of two, each bin's value within 2^-8 (0.4%) of every value in it (tests/test_hist.py
-- proves it); below -1024 the mirror image. Latency (DOUBLE ms) is binned in whole microseconds, so
-- its bound is 0.4% + 0.0005 ms. Values beyond 2^62 (µs: 146,000 years) are counted at 2^62.

-- The bin of an integer value: itself from -1024 to 1024; above, floor(128 log2 v) - 255, so bin 1025
-- follows 1024 (it holds 1025..1029) and each power of two has 128 bins of equal ratio 2^(1/128);
-- below -1024 the mirror image; beyond 2^62 (µs: 146,000 years) at 2^62's bin, 7681. One log2 per
-- value: five times cheaper at ingest than integer bit arithmetic with an exponent correction
-- (docs/performance.md, session 5). NULL stays NULL (a quantile ignores it), hence no ELSE; the
-- arguments of the branches are clamped to their range because DuckDB folds every branch of a
-- CASE over a constant.
CREATE MACRO rs_hist_bin(v) AS
    CASE WHEN v BETWEEN -1024 AND 1024 THEN CAST(v AS INTEGER)
         WHEN v > 1024 THEN CAST(floor(128 * log2(greatest(least(v, CAST(4611686018427387904 AS BIGINT)), 1025)))
                                 AS INTEGER) - 255
         WHEN v < -1024 THEN 255 - CAST(floor(128 * log2(greatest(-greatest(v, CAST(-4611686018427387904 AS BIGINT)),
                                                                   1025))) AS INTEGER) END;

-- a latency in ms as whole microseconds (clamped to +-2^62 µs; NaN and infinity count as the top;
-- NULL stays NULL, which least() and greatest() alone would not keep)
CREATE MACRO rs_hist_us(ms) AS
    CASE WHEN ms IS NOT NULL
         THEN CAST(round(greatest(least(ms * 1000.0, 4.611686018427388e18), -4.611686018427388e18)) AS BIGINT) END;

-- The value a bin stands for: itself from -1024 to 1024; above, the bin's geometric middle
-- 2^((bin + 255.5) / 128), rounded: within 2^(1/256) - 1 = 0.27% of the bin's ends, plus half a unit
-- of rounding (0.05% at 1025), so within 2^-8 = 0.39% of every integer in the bin
-- (tests/test_hist.py checks every integer to 2^22 and around every power of two to 2^62).
CREATE MACRO rs_hist_value(b) AS
    CASE WHEN b BETWEEN -1024 AND 1024 THEN CAST(b AS BIGINT)
         WHEN b > 1024 THEN CAST(round(pow(2, (least(b, 7681) + 255.5) / 128)) AS BIGINT)
         WHEN b < -1024 THEN -CAST(round(pow(2, (least(-b, 7681) + 255.5) / 128)) AS BIGINT) END;

CREATE TABLE request_hist_key (
    source_file_id INTEGER NOT NULL,
    id             INTEGER NOT NULL,   -- unique in the store: the bins' key
    day            DATE NOT NULL,
    feature        VARCHAR,
    prompt_name    VARCHAR,
    app            VARCHAR,
    route          VARCHAR,
    api_key        VARCHAR,
    project        VARCHAR,
    team           VARCHAR
);

CREATE TABLE request_hist_bin (
    source_file_id INTEGER NOT NULL,   -- (for clearing a file's rows)
    id             INTEGER NOT NULL,   -- request_hist_key.id
    metric         TINYINT NOT NULL,   -- 0 input tokens (all four input kinds), 1 output tokens, 2 latency (µs)
    bin            INTEGER NOT NULL,   -- rs_hist_bin of the value; rs_hist_value(bin) the value it stands for
    n              BIGINT NOT NULL     -- requests in the bin (NULL values are not counted)
);

-- The histogram as one relation: requests per file, day, attributes, metric and bin.
CREATE VIEW request_hist AS
SELECT k.source_file_id, k.day, k.feature, k.prompt_name, k.app, k.route, k.api_key, k.project, k.team,
       b.metric, b.bin, b.n
FROM request_hist_bin b JOIN request_hist_key k ON k.id = b.id;

-- The public view (docs/store.md): loaded files only, named as the requests view names them.
CREATE VIEW requests_hist AS
SELECT h.* EXCLUDE (source_file_id), f.name AS source_file
FROM request_hist h JOIN source_file f ON f.id = h.source_file_id
WHERE f.status = 'loaded';

-- Existing stores: every file's requests, as ingest/hist.py bins a file on load.
INSERT INTO request_hist_key
SELECT source_file_id, row_number() OVER () AS id, day, feature, prompt_name, app, route, api_key, project, team
FROM (SELECT DISTINCT source_file_id, CAST(ts AS DATE) AS day, feature, prompt_name, app, route, api_key, project, team
      FROM request_log);

INSERT INTO request_hist_bin
WITH j AS MATERIALIZED (
    SELECT r.source_file_id, k.id,
           rs_hist_bin(r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens
                       + r.cache_write_1h_tokens) AS b0,
           rs_hist_bin(r.output_tokens) AS b1,
           rs_hist_bin(rs_hist_us(r.latency_ms)) AS b2
    FROM request_log r
    JOIN request_hist_key k ON k.source_file_id = r.source_file_id AND k.day = CAST(r.ts AS DATE)
        AND k.feature IS NOT DISTINCT FROM r.feature AND k.prompt_name IS NOT DISTINCT FROM r.prompt_name
        AND k.app IS NOT DISTINCT FROM r.app AND k.route IS NOT DISTINCT FROM r.route
        AND k.api_key IS NOT DISTINCT FROM r.api_key AND k.project IS NOT DISTINCT FROM r.project
        AND k.team IS NOT DISTINCT FROM r.team
)
SELECT source_file_id, id, 0, b0, count(*) FROM j GROUP BY ALL
UNION ALL SELECT source_file_id, id, 1, b1, count(*) FROM j GROUP BY ALL
UNION ALL SELECT source_file_id, id, 2, b2, count(*) FROM j WHERE b2 IS NOT NULL GROUP BY ALL;
