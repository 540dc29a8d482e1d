-- The current model mix per workload: requests, spend and share of requests per model.
WITH {workload_requests}
SELECT workload, model, count(*) AS requests, sum(cost) AS cost,
       count(*) / sum(count(*)) OVER (PARTITION BY workload) AS request_share
FROM wr
GROUP BY workload, model
ORDER BY workload, requests DESC, model
