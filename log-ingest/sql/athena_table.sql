-- Glue/Athena table over the log-ingest Parquet layout, with partition projection:
-- no crawler and no MSCK REPAIR needed. Replace ${OutputBucket}/${OutputPrefix} (the
-- OUTPUT_URI of the ingest Lambdas) before running, or let infra/template.yaml do it.
-- Column docs: log-ingest/SCHEMA.md. `room` uses injected projection: Athena requires a
-- `room = '...'` (or `room IN (...)`) filter in queries; `date` is projected by day.
CREATE EXTERNAL TABLE IF NOT EXISTS ivs_chat.chat_records (
  event_timestamp   timestamp,
  `type`            string,
  version           string,
  account_id        string,
  region            string,
  room_id           string,
  room_arn          string,
  id                string,
  request_id        string,
  event_name        string,
  content           string,
  send_time         timestamp,
  sender_user_id    string,
  sender_attributes map<string,string>,
  attributes        map<string,string>,
  target_message_id string,
  target_user_id    string,
  reason            string,
  payload_extra     string,
  envelope_extra    string,
  source            string,
  source_line       bigint,
  source_offset     bigint,
  source_ref        string
)
PARTITIONED BY (room string, `date` string)
STORED AS PARQUET
LOCATION 's3://${OutputBucket}/${OutputPrefix}'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.room.type' = 'injected',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2022-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${OutputBucket}/${OutputPrefix}room=${room}/date=${date}/'
);
