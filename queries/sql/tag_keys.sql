-- Tag keys on billed lines, most used first (the explorer's tag filter choices).
SELECT k AS tag_key, count(*) AS lines
FROM (SELECT unnest(json_keys(Tags)) AS k FROM billing WHERE Tags IS NOT NULL AND x_LineType = 'cost')
GROUP BY k ORDER BY lines DESC, k
