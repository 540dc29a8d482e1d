-- Unit costs from the daily request rollup, grouped by whitelisted dimensions.
-- cost is our price (NULL where no request is priced); unpriced requests are counted, never priced at 0.
SELECT
    {dims_select}
    CAST(sum(requests) AS BIGINT) AS requests,
    CAST(sum(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) AS BIGINT) AS input_tokens,
    CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
    CAST(sum(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
    sum(cost) AS cost,
    CAST(sum(unpriced_requests) AS BIGINT) AS unpriced_requests,
    sum(logged_cost) AS logged_cost
FROM requests_daily
WHERE ($start IS NULL OR day >= CAST($start AS DATE))
  AND ($end IS NULL OR day < CAST($end AS DATE))
  AND ($provider IS NULL OR provider = $provider)
  AND ($model IS NULL OR model = $model)
  AND ($team IS NULL OR coalesce(team, '(untagged)') = $team)
  AND ($feature IS NULL OR coalesce(feature, '(none)') = $feature)
GROUP BY ALL
ORDER BY cost DESC NULLS LAST
