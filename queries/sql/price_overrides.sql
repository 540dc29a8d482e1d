-- Price-file rows in force (contract prices, discounts, hourly), with their file and line.
SELECT f.name AS file, o.line_no AS line, o.kind, o.provider, o.model, o.service_tier, o.input, o.output,
       o.cache_read, o.percent, o.usd_per_hour, o.units, o.effective_from, o.effective_to, o.note
FROM price_override o JOIN source_file f ON f.id = o.source_file_id
WHERE f.status = 'loaded'
ORDER BY f.name, o.line_no
