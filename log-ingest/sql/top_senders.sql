-- Top senders: messages sent and how many of them moderators deleted.
SELECT m.sender_user_id,
       count(*) AS messages,
       count(d.id) AS deleted
FROM chat_records m
LEFT JOIN chat_records d
  ON d.event_name = 'aws:DELETE_MESSAGE'
 AND d.target_message_id = m.id
 AND d.room_id = m.room_id
WHERE m.type = 'MESSAGE'
GROUP BY m.sender_user_id
ORDER BY messages DESC, m.sender_user_id
LIMIT 10;
