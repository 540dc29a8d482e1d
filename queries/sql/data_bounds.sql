-- What the store holds: the billed and logged date range and row counts (for the empty-store welcome
-- and for anchoring "this month" at the last day with data rather than the wall clock).
SELECT
    (SELECT count(*) FROM billing WHERE x_LineType = 'cost') AS billing_lines,
    (SELECT CAST(min(ChargePeriodStart) AS DATE) FROM billing WHERE x_LineType = 'cost') AS billing_first,
    (SELECT CAST(max(ChargePeriodStart) AS DATE) FROM billing WHERE x_LineType = 'cost') AS billing_last,
    (SELECT CAST(coalesce(sum(requests), 0) AS BIGINT) FROM requests_daily) AS requests,
    (SELECT min(day) FROM requests_daily) AS requests_first,
    (SELECT max(day) FROM requests_daily) AS requests_last,
    (SELECT count(*) FROM source_file WHERE status = 'loaded') AS files
