-- The Overview's reconciliation figures for one period: what the bill charged (every cost line) and
-- what the logs said the requests of billed providers cost (logged_cost, our price where a log gives
-- none). The same totals as queries.reconcile.summary's billed and billed - gap, without its per-cell
-- catalog pricing (which the Overview does not show): tests/test_overview_speed.py holds them equal.
-- A provider is billed when the period's bill has a line for its provider key ({bill_provider} /
-- {req_provider}: ingest.models.provider_key_sql); requests are summed per stored provider first,
-- so the key is computed once per provider, not once per request.
WITH bill AS (
    SELECT {bill_provider} AS provider, sum(BilledCost) AS billed
    FROM billing
    WHERE x_LineType = 'cost' AND ChargePeriodStart >= $start AND ChargePeriodStart < $end
    GROUP BY ALL
),
req AS (
    SELECT r.provider, sum(coalesce(r.logged_cost, r.cost)) AS logged
    FROM request_log r
    JOIN source_file f ON f.id = r.source_file_id AND f.status = 'loaded'
    WHERE r.ts >= $start AND r.ts < $end
      AND EXISTS (SELECT 1 FROM bill)
    GROUP BY ALL
)
SELECT (SELECT sum(billed) FROM bill) AS billed,
       (SELECT sum(logged) FROM req WHERE {req_provider} IN (SELECT provider FROM bill)) AS logged
