-- The decisions table joined with the chat table on the message id: messages the handler
-- rewrote (masked, replaced) as IVS delivered and logged them, with the rules that fired.
-- Denied messages never reach IVS's chat logs, so only allowed decisions can join.
SELECT d.message_id,
       d.room_id,
       m.content AS delivered,
       d.rules
FROM decisions d
JOIN chat_records m
  ON m.id = d.message_id
 AND m.room_id = d.room_id
 AND m.type = 'MESSAGE'
WHERE d.action = 'rewrite'
ORDER BY d."time", d.message_id;
