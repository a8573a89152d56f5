-- Users with the most denials (as the handler logged them: raw, or `hmac-sha256:` hashed
-- with HASH_IDENTITIES, which still groups per user), with their decisions in all and the
-- rooms they were denied in.
SELECT d.user_id,
       count(*) FILTER (WHERE d.result = 'DENY') AS denials,
       count(*) AS decisions,
       count(DISTINCT d.room_id) FILTER (WHERE d.result = 'DENY') AS rooms
FROM decisions d
WHERE d.user_id IS NOT NULL
GROUP BY d.user_id
HAVING count(*) FILTER (WHERE d.result = 'DENY') > 0
ORDER BY denials DESC, d.user_id
LIMIT 10;
