-- Requests and spend per workload and calendar month (UTC).
WITH {workload_requests}
SELECT workload, strftime(date_trunc('month', ts), '%Y-%m') AS month,
       count(*) AS requests, sum(cost) AS cost, count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests
FROM wr
GROUP BY ALL
ORDER BY workload, month
