-- Evaluation rows matched to workloads: by request_id when the request is in the period's log
-- (its workload wins), else by the row's own workload column. Rows that match neither are dropped.
-- eligible: passed when given, else candidate_score >= baseline_score - $tolerance.
WITH {workload_requests},
-- only the requests that were evaluated: grouping all requests by id costs seconds at 10M
req AS (SELECT request_id, any_value(workload) AS workload FROM wr
        WHERE request_id IN (SELECT request_id FROM evals) GROUP BY request_id),
ev AS (
    SELECT coalesce(req.workload, e.workload) AS workload,
           e.request_id, req.request_id IS NOT NULL AS matched_request,
           e.baseline_model, e.candidate_model, e.baseline_score, e.candidate_score, e.passed, e.judge,
           CASE WHEN e.passed IS NOT NULL THEN e.passed
                WHEN e.candidate_score IS NOT NULL AND e.baseline_score IS NOT NULL
                    THEN e.candidate_score >= e.baseline_score - $tolerance END AS eligible
    FROM evals e
    LEFT JOIN req ON req.request_id = e.request_id
    WHERE req.request_id IS NOT NULL OR (e.workload IS NOT NULL AND e.workload IN (SELECT workload FROM wr))
)
SELECT * FROM ev WHERE eligible IS NOT NULL
