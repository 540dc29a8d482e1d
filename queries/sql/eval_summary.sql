-- Per workload and candidate: how many evaluated requests, how many eligible, how many matched a
-- request of the period. Summed from the evidence rows (eval_evidence.sql, registered as
-- `rs_evidence` by queries.rightsizing._evidence), so the evals are matched to workloads once for both.
SELECT workload, candidate_model,
       string_agg(DISTINCT baseline_model, ', ' ORDER BY baseline_model) AS baseline_models,
       count(*) AS evaluated,
       count(*) FILTER (WHERE eligible) AS eligible,
       count(*) FILTER (WHERE matched_request) AS matched_requests
FROM rs_evidence
GROUP BY workload, candidate_model
ORDER BY workload, candidate_model
