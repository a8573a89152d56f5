-- Rules in shadow mode, by how often they would have fired: in all, and on messages that
-- were allowed (what enforcing the rule would newly block, if it denies).
SELECT rule,
       count(*) AS would_fire,
       count(*) FILTER (WHERE d.result = 'ALLOW') AS on_allowed
FROM decisions d
CROSS JOIN UNNEST(d.shadow_rules) AS t(rule)
GROUP BY rule
ORDER BY would_fire DESC, rule;
