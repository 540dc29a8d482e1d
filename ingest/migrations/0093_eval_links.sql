-- Eval links (issue 8): for every request id an eval row names, the matching request rows' attributes
-- a workload key can name (queries/sql/workload_key.sql), their file and time. The eval queries
-- (queries/sql/eval_evidence.sql, eval_summary.sql) read these few rows instead of probing every
-- request's id (a semi-join over 10M ids cost 0.5 s per query). Kept on ingest by ingest/evallinks.py:
-- an eval file links its ids, a request file links its rows named by loaded evals, removing a request
-- file drops its rows (ingest.loader.DERIVED_TABLES), removing an eval file drops ids no eval names.
-- The workload itself is not stored: a workload rule may change the key of a file at any time.
CREATE TABLE eval_request (
    request_id      VARCHAR NOT NULL,
    source_file_id  INTEGER NOT NULL,   -- the request's file (not the eval's)
    ts              TIMESTAMP NOT NULL,
    feature         VARCHAR,
    prompt_name     VARCHAR,
    app             VARCHAR,
    route           VARCHAR,
    api_key         VARCHAR,
    project         VARCHAR,
    team            VARCHAR
);

INSERT INTO eval_request
SELECT r.request_id, r.source_file_id, r.ts, r.feature, r.prompt_name, r.app, r.route, r.api_key, r.project, r.team
FROM request_log r
WHERE r.request_id IN (SELECT request_id FROM eval_result WHERE request_id IS NOT NULL);
