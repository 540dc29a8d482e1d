-- The models of the period's requests, from the daily rollup: every model the period can hold (the
-- days the period touches, whole), so a superset when the period starts or ends inside a day.
-- queries.rightsizing takes the long-context thresholds the request pass splits input at from their
-- rates before reading the requests.
SELECT DISTINCT model
FROM requests_daily
WHERE model IS NOT NULL
  AND ($start IS NULL OR day >= CAST(CAST($start AS TIMESTAMP) AS DATE))
  AND ($end IS NULL OR day <= CAST(CAST($end AS TIMESTAMP) AS DATE))
