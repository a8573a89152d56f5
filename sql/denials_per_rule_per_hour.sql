-- Denials per rule per hour (UTC): each denied decision counts once for every enforced
-- rule that fired in it. Denials by a response rule (too long, empty after masking) name
-- no rule and are not counted here. Runs on Athena (the `decisions` Glue table; add a
-- `room = '...'` filter there: `room` is an injected partition) and DuckDB.
SELECT rule,
       date_trunc('hour', d."time") AS hour,
       count(*) AS denials
FROM decisions d
CROSS JOIN UNNEST(d.rules) AS t(rule)
WHERE d.result = 'DENY'
GROUP BY rule, date_trunc('hour', d."time")
ORDER BY hour, denials DESC, rule;
