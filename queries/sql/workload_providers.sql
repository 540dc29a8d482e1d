-- Each workload's current provider: the one most of its requests went to (lower case), from
-- sql/workload_groups.sql's sums (rs_groups); a tie goes to the first name in order. Workloads whose
-- requests name no provider have no row.
SELECT workload, provider
FROM (
    SELECT workload, lower(provider) AS provider,
           row_number() OVER (PARTITION BY workload ORDER BY sum(requests) DESC, lower(provider)) AS pick
    FROM rs_groups
    WHERE provider IS NOT NULL
    GROUP BY workload, lower(provider)
)
WHERE pick = 1
ORDER BY workload
