-- Messages per room per hour (UTC), deleted messages included.
SELECT room_id,
       date_trunc('hour', event_timestamp) AS hour,
       count(*) AS messages
FROM chat_records
WHERE type = 'MESSAGE'
GROUP BY room_id, date_trunc('hour', event_timestamp)
ORDER BY room_id, hour;
