-- Billed cost and tokens by token type per model, and what prompt caching saved: cache-read tokens
-- priced at the model's own billed input rate, less what they were billed. Usage-only lines
-- (x_LineType 'usage') are left out so tokens are not counted twice.
WITH t AS (
    SELECT coalesce(x_Model, '(not a model)') AS model, x_TokenType AS token_type,
           sum(BilledCost) AS billed_cost, sum(x_Tokens) AS tokens
    FROM billing
    WHERE x_LineType = 'cost' AND x_TokenType IS NOT NULL
      AND ($start IS NULL OR ChargePeriodStart >= CAST($start AS TIMESTAMP))
      AND ($end IS NULL OR ChargePeriodStart < CAST($end AS TIMESTAMP))
      AND ($provider IS NULL OR ProviderName = $provider)
      AND ($model IS NULL OR coalesce(x_Model, '(not a model)') = $model)
    GROUP BY ALL
),
input_rate AS (
    SELECT model, sum(billed_cost) / nullif(sum(tokens), 0) AS usd_per_token
    FROM t WHERE token_type = 'input' GROUP BY model
)
SELECT t.model, t.token_type, t.billed_cost, t.tokens,
       CASE WHEN t.token_type = 'cache_read' AND r.usd_per_token IS NOT NULL
            THEN CAST(t.tokens * r.usd_per_token AS DOUBLE) - CAST(t.billed_cost AS DOUBLE) END AS cache_saved
FROM t LEFT JOIN input_rate r USING (model)
ORDER BY t.billed_cost DESC NULLS LAST
