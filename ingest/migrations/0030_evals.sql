-- Evaluation results: per request (or per workload) quality evidence that a candidate model can
-- serve what the baseline model serves. Read by the rightsizing analytics (queries/rightsizing.py).
CREATE TABLE eval_result (
    source_file_id      INTEGER NOT NULL,
    line_no             BIGINT,
    eval_key            VARCHAR NOT NULL,  -- natural identity: workload, request, models; or a record hash
    workload            VARCHAR,           -- the workload the row speaks for (may be empty if request_id is given)
    request_id          VARCHAR,           -- the request evaluated (joins requests.request_id), may be empty
    baseline_model      VARCHAR,           -- canonical id of the model in use (the strong model)
    baseline_model_raw  VARCHAR,
    candidate_model     VARCHAR,           -- canonical id of the cheaper model evaluated
    candidate_model_raw VARCHAR,
    baseline_score      DOUBLE,            -- higher is better
    candidate_score     DOUBLE,            -- higher is better, same scale as baseline_score
    passed              BOOLEAN,           -- instead of scores: the candidate's answer was good enough
    judge               VARCHAR            -- who scored (a judge model, a test suite, a human), if given
);

CREATE VIEW evals AS
SELECT
    e.workload, e.request_id, e.baseline_model, e.baseline_model_raw,
    e.candidate_model, e.candidate_model_raw, e.baseline_score, e.candidate_score, e.passed, e.judge,
    f.name AS source_file, e.line_no AS source_line
FROM eval_result e
JOIN source_file f ON f.id = e.source_file_id
WHERE f.status = 'loaded';

-- Which request attribute names a workload, per source file (glob on the file name). The first
-- matching rule by priority wins; with no rule the most specific attribute present is used.
CREATE TABLE workload_rule (
    source_pattern  VARCHAR NOT NULL,      -- glob on requests.source_file, e.g. 'gateway-*.csv' or '*'
    workload_key    VARCHAR NOT NULL,      -- a name from queries.workloads.WORKLOAD_KEYS
    priority        INTEGER NOT NULL DEFAULT 100
);
