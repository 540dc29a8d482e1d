-- Every price that priced requests in [$start, $end): one row per provider, model, service tier,
-- validity stretch and token type, with its source, catalog version and the overrides applied.
WITH used AS (
    SELECT p.provider, p.model, p.model_raw, p.service_tier, p.valid_from, p.valid_to, p.tod_start, p.tod_end,
           count(*) AS requests
    FROM prices p
    JOIN requests r ON r.provider IS NOT DISTINCT FROM p.provider AND r.model_raw IS NOT DISTINCT FROM p.model_raw
                   AND coalesce(r.service_tier, 'standard') = p.service_tier
                   AND r.ts >= p.valid_from AND r.ts < p.valid_to
    WHERE r.ts >= $start AND r.ts < $end
    GROUP BY ALL
)
SELECT p.model, p.provider, p.service_tier, t.token_type, t.usd_per_mtok, p.source, p.catalog_version,
       CASE WHEN p.valid_from > TIMESTAMP '1970-01-01' THEN CAST(p.valid_from AS DATE) END AS effective_from,
       CASE WHEN p.valid_to < TIMESTAMP '2200-01-01' THEN CAST(p.valid_to AS DATE) END AS effective_to,
       p.overrides, p.tiers, p.usd_per_hour, u.requests, p.basis
FROM prices p
JOIN used u USING (provider, model, model_raw, service_tier, valid_from, valid_to)
CROSS JOIN LATERAL (VALUES ('input', p.input_mtok), ('cache_read', p.cache_read_mtok),
                           ('cache_write_5m', p.cache_write_mtok), ('cache_write_1h', p.cache_write_1h_mtok),
                           ('output', p.output_mtok)) AS t(token_type, usd_per_mtok)
WHERE (p.tod_start IS NOT DISTINCT FROM u.tod_start) AND (p.tod_end IS NOT DISTINCT FROM u.tod_end)
ORDER BY p.provider, p.model, p.service_tier, p.valid_from, t.token_type
