-- Logs against the bill, one row per (day, provider, model family) cell, with the amounts the gap
-- decomposition needs (queries/reconcile.py). Model family: the canonical id without a trailing
-- snapshot date, so a bill's gpt-4.1-2025-04-14 meets a log's gpt-4.1. Non-usage bill lines (tax,
-- credits, adjustments) are cells of their own, keyed by their charge category.
-- {bill_provider} / {req_provider}: provider-key SQL built from ingest.models.PROVIDER_KEYS.
WITH bill AS (
    SELECT CAST(ChargePeriodStart AS DATE) AS day,
           {bill_provider} AS provider,
           CASE WHEN ChargeCategory = 'Usage' AND x_Model IS NOT NULL
                THEN regexp_replace(x_Model, '-\d{{4}}-\d{{2}}-\d{{2}}$', '') END AS model,
           CASE WHEN ChargeCategory = 'Usage' AND x_Model IS NOT NULL THEN 'usage'
                ELSE lower(coalesce(ChargeCategory, 'other')) END AS line_kind,
           sum(BilledCost) AS billed,
           count(*) AS lines,
           coalesce(sum(x_Credits), 0) AS credits
    FROM billing
    WHERE x_LineType = 'cost' AND ChargePeriodStart >= $start AND ChargePeriodStart < $end
    GROUP BY ALL
),
-- The requests summed per day, provider and model as stored first, so the provider key and the
-- model family (a regex) are computed once per group, not once per request (docs/performance.md).
-- Read from the daily rollup (_rc_daily: reconcile_daily.sql) where it is exact; the fallback sums
-- the requests of the other keys (reconcile_requests.sql), or is empty.
req_raw AS (
    SELECT day, provider, model, requests, unpriced_requests, request_cost, logged_priced, logged_unpriced,
           standard_cost, tier_cost, logged_cost
    FROM _rc_daily
    WHERE exact
    {fallback}
),
req AS (
    SELECT r.day,
           {req_provider} AS provider,
           regexp_replace(r.model, '-\d{{4}}-\d{{2}}-\d{{2}}$', '') AS model,
           'usage' AS line_kind,
           CAST(sum(r.requests) AS BIGINT) AS requests, CAST(sum(r.unpriced_requests) AS BIGINT) AS unpriced_requests,
           sum(r.request_cost) AS request_cost, sum(r.logged_priced) AS logged_priced,
           sum(r.logged_unpriced) AS logged_unpriced, sum(r.standard_cost) AS standard_cost,
           sum(r.tier_cost) AS tier_cost, sum(r.logged_cost) AS logged_cost
    FROM req_raw r
    GROUP BY ALL
),
cells AS (
    SELECT coalesce(b.day, q.day) AS day, coalesce(b.provider, q.provider) AS provider,
           coalesce(b.model, q.model) AS model, coalesce(b.line_kind, q.line_kind) AS line_kind,
           b.billed, coalesce(b.lines, 0) AS lines, coalesce(b.credits, 0) AS credits,
           coalesce(q.requests, 0) AS requests, coalesce(q.unpriced_requests, 0) AS unpriced_requests,
           coalesce(q.request_cost, 0) AS request_cost, coalesce(q.logged_priced, 0) AS logged_priced,
           coalesce(q.logged_unpriced, 0) AS logged_unpriced, coalesce(q.standard_cost, 0) AS standard_cost,
           coalesce(q.tier_cost, 0) AS tier_cost, q.logged_cost
    FROM bill b
    FULL JOIN req q ON b.day = q.day AND b.provider IS NOT DISTINCT FROM q.provider
                   AND b.model IS NOT DISTINCT FROM q.model AND b.line_kind = q.line_kind
)
SELECT c.*, c.provider IN (SELECT provider FROM bill) AS provider_billed
FROM cells c
ORDER BY day, provider, model, line_kind
