-- Rejected and warned lines of one file: line number and the reason naming field and value.
SELECT line, reason, action, record
FROM ingest_rejects
WHERE source_file_id = $file_id
ORDER BY line
LIMIT 1000
