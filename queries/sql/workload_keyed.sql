-- A fragment: the CTE `keyed`, each loaded source file's workload key (workload_rule: a glob on the
-- file name, lowest priority first; else $default_key). Embedded by workload_requests.sql and by the
-- queries that name workloads from the daily rollup or the eval links (queries.workloads.fragments).
-- a key the list below does not name (a rule written past set_workload_rule's check) means 'auto'
keyed AS (
    SELECT id, name,
           CASE WHEN key_name IN ('feature', 'prompt_name', 'app_route', 'app', 'route', 'api_key', 'project',
                                  'team') THEN key_name ELSE 'auto' END AS key_name
    FROM (
    SELECT f.id, f.name, coalesce(arg_min(w.workload_key, w.priority), $default_key) AS key_name
    FROM source_file f LEFT JOIN workload_rule w ON f.name GLOB w.source_pattern
    WHERE f.status = 'loaded'
    GROUP BY f.id, f.name
    )
)
