-- Distinct end users behind the requests (the one unit cost the daily rollup cannot give).
SELECT count(DISTINCT "user") AS users, count(*) FILTER (WHERE "user" IS NOT NULL) AS requests_with_user,
       sum(cost) FILTER (WHERE "user" IS NOT NULL) AS cost_with_user
FROM requests
WHERE ($start IS NULL OR ts >= CAST($start AS TIMESTAMP))
  AND ($end IS NULL OR ts < CAST($end AS TIMESTAMP))
  AND ($provider IS NULL OR provider = $provider)
  AND ($model IS NULL OR model = $model)
  AND ($team IS NULL OR coalesce(team, '(untagged)') = $team)
  AND ($feature IS NULL OR coalesce(feature, '(none)') = $feature)
