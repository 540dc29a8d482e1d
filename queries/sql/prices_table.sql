-- The effective prices behind request costs (the prices view), USD per 1M tokens, newest first.
SELECT provider, model, model_raw, service_tier, source, catalog_version, overrides,
       CAST(valid_from AS DATE) AS effective_from, CAST(valid_to AS DATE) AS effective_to,
       input_mtok, cache_read_mtok, cache_write_mtok, output_mtok, request_fee, usd_per_hour
FROM prices
ORDER BY provider, model, service_tier, valid_from DESC
