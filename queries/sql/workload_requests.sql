-- The requests of the period, each with its workload. A fragment: other queries embed it as the CTE
-- `wr`. The key is chosen per source file by workload_rule (glob on the file name, lowest priority
-- first), else $default_key; 'auto' is the most specific attribute present: feature, prompt_name,
-- app + route, app, api_key, project.
rule AS (
    SELECT f.name AS source_file, arg_min(w.workload_key, w.priority) AS key_name
    FROM source_file f JOIN workload_rule w ON f.name GLOB w.source_pattern
    GROUP BY f.name
),
-- NOT MATERIALIZED: a query that reads wr twice scans the table twice rather than holding every
-- request's columns in memory (2 GB at 10M requests; docs/performance.md).
wr AS NOT MATERIALIZED (
    SELECT
        CASE coalesce(rule.key_name, $default_key)
            WHEN 'feature' THEN coalesce(r.feature, '(no feature)')
            WHEN 'prompt_name' THEN coalesce(r.prompt_name, '(no prompt_name)')
            WHEN 'app_route' THEN coalesce(r.app || ' ' || r.route, r.app, '(no app)')
            WHEN 'app' THEN coalesce(r.app, '(no app)')
            WHEN 'route' THEN coalesce(r.route, '(no route)')
            WHEN 'api_key' THEN coalesce(r.api_key, '(no api_key)')
            WHEN 'project' THEN coalesce(r.project, '(no project)')
            WHEN 'team' THEN coalesce(r.team, '(no team)')
            ELSE coalesce(r.feature, r.prompt_name, r.app || ' ' || r.route, r.app, r.api_key, r.project,
                          '(unattributed)')
        END AS workload,
        r.*
    FROM requests r
    LEFT JOIN rule ON rule.source_file = r.source_file
    WHERE ($start IS NULL OR r.ts >= CAST($start AS TIMESTAMP))
      AND ($end IS NULL OR r.ts < CAST($end AS TIMESTAMP))
)
