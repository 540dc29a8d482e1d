-- Spend from the billing view, grouped by whitelisted dimensions ({dims}), never across currencies.
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
  AND ($team IS NULL OR coalesce(Tags->>'team', Tags->>'Team') = $team)
GROUP BY ALL
ORDER BY billed_cost DESC NULLS LAST
