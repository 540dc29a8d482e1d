-- Evaluation rows matched to workloads: by request_id when the request is in the period's log
-- (its workload wins), else by the row's own workload column when that workload has requests in the
-- period. Rows that match neither are dropped.
-- eligible: passed when given, else candidate_score >= baseline_score - $tolerance.
-- Neither test reads every request (docs/performance.md "Session 5: evals"): the evaluated requests
-- are their links (eval_request, ingest/evallinks.py), named through their file's key (`keyed`); the
-- period's workloads are the daily rollup's on the days the period holds whole, and the requests'
-- only in the hours of a day a bound cuts (none when both bounds are midnight or open).
WITH {workload_keyed},
-- min(): a request id is stored once (the loader skips an id already loaded), so this is its one
-- request's workload; min keeps the answer deterministic should an id ever repeat
req AS (
    SELECT r.request_id, min({workload_key}) AS workload
    FROM eval_request r JOIN keyed k ON k.id = r.source_file_id
    WHERE ($start IS NULL OR r.ts >= CAST($start AS TIMESTAMP))
      AND ($end IS NULL OR r.ts < CAST($end AS TIMESTAMP))
    GROUP BY r.request_id
),
-- the days wholly inside the period: after the day of the instant before $start, before $end's day
whole_days AS (
    SELECT DISTINCT {workload_key} AS workload
    FROM request_daily r JOIN keyed k ON k.id = r.source_file_id
    WHERE ($start IS NULL OR r.day > CAST(CAST($start AS TIMESTAMP) - INTERVAL 1 MICROSECOND AS DATE))
      AND ($end IS NULL OR r.day < CAST(CAST($end AS TIMESTAMP) AS DATE))
),
-- the hours of the day each bound cuts (a bound at midnight cuts none: its range is empty), each a
-- range of ts so that only the row groups of those hours are read
cut_days AS (
    SELECT {workload_key} AS workload
    FROM request_log r JOIN keyed k ON k.id = r.source_file_id
    WHERE $start IS NOT NULL AND r.ts >= CAST($start AS TIMESTAMP)
      AND r.ts < least(date_trunc('day', CAST($start AS TIMESTAMP) - INTERVAL 1 MICROSECOND) + INTERVAL 1 DAY,
                       coalesce(CAST($end AS TIMESTAMP), 'infinity'))
    UNION
    SELECT {workload_key} AS workload
    FROM request_log r JOIN keyed k ON k.id = r.source_file_id
    WHERE $end IS NOT NULL AND r.ts < CAST($end AS TIMESTAMP)
      AND r.ts >= greatest(date_trunc('day', CAST($end AS TIMESTAMP)),
                           coalesce(CAST($start AS TIMESTAMP), '-infinity'))
),
ev AS (
    SELECT coalesce(req.workload, e.workload) AS workload,
           e.request_id, req.request_id IS NOT NULL AS matched_request,
           e.baseline_model, e.candidate_model, e.baseline_score, e.candidate_score, e.passed, e.judge,
           CASE WHEN e.passed IS NOT NULL THEN e.passed
                WHEN e.candidate_score IS NOT NULL AND e.baseline_score IS NOT NULL
                    THEN e.candidate_score >= e.baseline_score - $tolerance END AS eligible
    FROM evals e
    LEFT JOIN req ON req.request_id = e.request_id
    WHERE req.request_id IS NOT NULL
       OR (e.workload IS NOT NULL AND (e.workload IN (SELECT workload FROM whole_days)
                                       OR e.workload IN (SELECT workload FROM cut_days)))
)
SELECT * FROM ev WHERE eligible IS NOT NULL
