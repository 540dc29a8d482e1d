-- The reconciliation's request figures summed from the requests themselves, for the keys the daily
-- rollup cannot give exactly (_rc_redo: reconcile_daily.sql's rows that are not `exact`), priced at
-- the catalog by ingest/prices.py `catalog_costs` (_catalog_cost; a missing row reads as the stored
-- cost). Appended to reconcile_cells.sql's req_raw; $lo / $hi bound the keys' days and the period.
UNION ALL
SELECT CAST(r.ts AS DATE) AS day, r.provider, r.model,
       count(*) AS requests,
       count(*) FILTER (WHERE r.cost IS NULL) AS unpriced_requests,
       coalesce(sum(r.cost), 0) AS request_cost,
       coalesce(sum(coalesce(r.logged_cost, r.cost)) FILTER (WHERE r.cost IS NOT NULL), 0) AS logged_priced,
       coalesce(sum(r.logged_cost) FILTER (WHERE r.cost IS NULL), 0) AS logged_unpriced,
       coalesce(sum(coalesce(c.standard_cost, r.cost)) FILTER (WHERE r.cost IS NOT NULL), 0) AS standard_cost,
       coalesce(sum(coalesce(c.tier_cost, r.cost)) FILTER (WHERE r.cost IS NOT NULL), 0) AS tier_cost,
       sum(r.logged_cost) AS logged_cost
FROM request_log r
JOIN source_file f ON f.id = r.source_file_id AND f.status = 'loaded'
LEFT JOIN _catalog_cost c ON c.rid = r.rowid
WHERE r.ts >= $lo AND r.ts < $hi AND {in_redo}
GROUP BY ALL
