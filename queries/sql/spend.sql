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
  -- the tag key is looked up as a map key, never spliced into a JSON path: any key (quotes, "$.x",
  -- backslashes, dots) means itself; Tags that are not one JSON object (or repeat a key) match no key
  -- (a key with no value keeps the lines that carry the key at all)
  AND ($tag_key IS NULL OR CASE WHEN $tag_value IS NULL
                                THEN (TRY_CAST(Tags AS MAP(VARCHAR, JSON)))[$tag_key] IS NOT NULL
                                ELSE (TRY_CAST(Tags AS MAP(VARCHAR, JSON)))[$tag_key] ->> '$' = $tag_value END)
GROUP BY ALL
ORDER BY billed_cost DESC NULLS LAST
