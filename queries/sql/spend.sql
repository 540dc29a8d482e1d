-- Spend from the billing view, grouped by whitelisted dimensions ({dims}), never across currencies.
-- Every filter is a bound parameter; NULL means "all".
SELECT
    {dims_select}
    BillingCurrency AS currency,
    SUM(BilledCost) AS billed_cost,
    SUM(EffectiveCost) AS effective_cost,
    SUM(ListCost) AS list_cost,
    SUM(x_Tokens) AS tokens,
    COUNT(*) AS lines
FROM billing
WHERE ($start IS NULL OR ChargePeriodStart >= CAST($start AS TIMESTAMP))
  AND ($end IS NULL OR ChargePeriodStart < CAST($end AS TIMESTAMP))
  AND ($provider IS NULL OR ProviderName = $provider)
  AND ($model IS NULL OR coalesce(x_Model, '(not a model)') = $model)
  AND ($team IS NULL OR coalesce(Tags->>'team', Tags->>'Team', '(untagged)') = $team)
  AND ($tag_key IS NULL OR json_extract_string(Tags, '$."' || replace($tag_key, '"', '') || '"') IS NOT DISTINCT FROM $tag_value
       OR ($tag_value IS NULL AND json_extract_string(Tags, '$."' || replace($tag_key, '"', '') || '"') IS NOT NULL))
GROUP BY ALL
ORDER BY billed_cost DESC NULLS LAST
