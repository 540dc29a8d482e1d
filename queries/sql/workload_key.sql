-- A fragment: the workload of a row `r` that has the request attribute columns (request_log, the
-- daily rollup, the eval links), for its file's key `k.key_name` (workload_keyed.sql). 'auto' is the
-- most specific attribute present: feature, prompt_name, app + route, app, api_key, project.
CASE k.key_name
    WHEN 'auto' THEN coalesce(r.feature, r.prompt_name, r.app || ' ' || r.route, r.app, r.api_key,
                              r.project, '(unattributed)')
    WHEN 'feature' THEN coalesce(r.feature, '(no feature)')
    WHEN 'prompt_name' THEN coalesce(r.prompt_name, '(no prompt_name)')
    WHEN 'app_route' THEN coalesce(r.app || ' ' || r.route, r.app, '(no app)')
    WHEN 'app' THEN coalesce(r.app, '(no app)')
    WHEN 'route' THEN coalesce(r.route, '(no route)')
    WHEN 'api_key' THEN coalesce(r.api_key, '(no api_key)')
    WHEN 'project' THEN coalesce(r.project, '(no project)')
    WHEN 'team' THEN coalesce(r.team, '(no team)')
END
