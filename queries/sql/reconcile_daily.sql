-- The reconciliation's request figures per daily rollup row (queries/reconcile.py `cells`), each
-- NULL where the rollup cannot give it exactly; `exact` says whether every row of the row's key
-- (source file, day, provider, model as logged, model, tier) gives them all. The keys that do not
-- are summed from their requests instead (reconcile_requests.sql, appended to reconcile_cells.sql).
-- Placeholders (ingest/prices.py `catalog_daily_sql`): standard_entry / tier_entry, the row's entry
-- in the catalog's price lists; standard_cost / tier_cost, the catalog's price of the row's requests
-- at the standard tier and at their own tier, from the token sums; standard_ok / tier_ok, where
-- those are exact. stored_is_catalog: TRUE when a standard-tier request's stored cost is both
-- prices (ingest/prices.py `stored_is_catalog`).
WITH d AS (
    SELECT d.*, coalesce(d.service_tier, 'standard') AS tier,
           {standard_entry} AS standard_entry, {tier_entry} AS tier_entry,
           CAST(d.day AS TIMESTAMP) >= CAST($start AS TIMESTAMP)
             AND CAST(d.day AS TIMESTAMP) + INTERVAL 1 DAY <= CAST($end AS TIMESTAMP) AS whole_day,
           d.unpriced_requests = 0 AS priced_all, d.unpriced_requests = d.requests AS unpriced_all,
           d.logged_requests = d.requests AS logged_all, d.logged_requests = 0 AS logged_none
    FROM request_daily d
    JOIN source_file f ON f.id = d.source_file_id AND f.status = 'loaded'
    WHERE d.day >= CAST(CAST($start AS TIMESTAMP) AS DATE) AND CAST(d.day AS TIMESTAMP) < CAST($end AS TIMESTAMP)
),
v AS (
    SELECT source_file_id, day, provider, model_raw, model, service_tier, whole_day,
           requests, unpriced_requests, coalesce(cost, 0) AS request_cost, logged_cost,
           -- the logged cost of priced requests (ours where the log has none), and of unpriced ones
           CASE WHEN logged_none THEN coalesce(cost, 0) WHEN unpriced_all THEN 0
                WHEN priced_all AND logged_all THEN logged_cost END AS logged_priced,
           CASE WHEN logged_none OR priced_all THEN 0 WHEN unpriced_all THEN coalesce(logged_cost, 0) END
             AS logged_unpriced,
           -- the catalog's prices of the priced requests; where the catalog has none, their own cost
           CASE WHEN unpriced_all THEN 0
                WHEN {stored_is_catalog} AND tier = 'standard' THEN coalesce(cost, 0)
                WHEN ({standard_ok}) AND {standard_cost} IS NULL THEN coalesce(cost, 0)
                WHEN ({standard_ok}) AND priced_all THEN {standard_cost} END AS standard_cost,
           CASE WHEN unpriced_all THEN 0
                WHEN {stored_is_catalog} AND tier = 'standard' THEN coalesce(cost, 0)
                WHEN ({tier_ok}) AND {tier_cost} IS NULL THEN coalesce(cost, 0)
                WHEN ({tier_ok}) AND priced_all THEN {tier_cost} END AS tier_cost
    FROM d d
)
SELECT *, bool_and(whole_day AND logged_priced IS NOT NULL AND logged_unpriced IS NOT NULL
                   AND standard_cost IS NOT NULL AND tier_cost IS NOT NULL)
            OVER (PARTITION BY source_file_id, day, provider, model_raw, model, service_tier) AS exact
FROM v
