-- Saved column mappings for in-house request logs (`rightsize ingest --map ... --save-map NAME`,
-- then `--mapping NAME`): target column of the requests view -> the file's header.
CREATE TABLE IF NOT EXISTS column_mapping (
    name     VARCHAR PRIMARY KEY,
    mapping  JSON NOT NULL,
    saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
