-- Deleted messages with reasons: what was said, by whom, when, and when/why it was deleted.
SELECT m.room_id,
       m.id AS message_id,
       m.sender_user_id,
       m.content,
       m.event_timestamp AS sent_at,
       d.event_timestamp AS deleted_at,
       d.reason
FROM chat_records d
JOIN chat_records m
  ON m.type = 'MESSAGE'
 AND m.id = d.target_message_id
 AND m.room_id = d.room_id
WHERE d.event_name = 'aws:DELETE_MESSAGE'
ORDER BY deleted_at, message_id;
