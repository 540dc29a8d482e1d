-- Per workload and candidate: how many evaluated requests, how many eligible (see eval_evidence).
WITH {workload_requests},
-- only the requests that were evaluated: grouping all requests by id costs seconds at 10M
req AS (SELECT request_id, any_value(workload) AS workload FROM wr
        WHERE request_id IN (SELECT request_id FROM evals) GROUP BY request_id),
ev AS (
    SELECT coalesce(req.workload, e.workload) AS workload, e.baseline_model, e.candidate_model,
           req.request_id IS NOT NULL AS matched_request,
           CASE WHEN e.passed IS NOT NULL THEN e.passed
                WHEN e.candidate_score IS NOT NULL AND e.baseline_score IS NOT NULL
                    THEN e.candidate_score >= e.baseline_score - $tolerance END AS eligible
    FROM evals e
    LEFT JOIN req ON req.request_id = e.request_id
    WHERE req.request_id IS NOT NULL OR (e.workload IS NOT NULL AND e.workload IN (SELECT workload FROM wr))
)
SELECT workload, candidate_model,
       string_agg(DISTINCT baseline_model, ', ' ORDER BY baseline_model) AS baseline_models,
       count(*) AS evaluated,
       count(*) FILTER (WHERE eligible) AS eligible,
       count(*) FILTER (WHERE matched_request) AS matched_requests
FROM ev
WHERE eligible IS NOT NULL
GROUP BY workload, candidate_model
ORDER BY workload, candidate_model
