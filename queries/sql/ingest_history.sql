-- Every file offered to the store, newest first, with what became of its rows.
SELECT id, name, format, kind, bytes, rows_loaded, rows_rejected, rows_duplicate, rows_warned,
       ingested_at, status, error
FROM source_file
ORDER BY ingested_at DESC, id DESC
