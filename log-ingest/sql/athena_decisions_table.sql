-- Glue/Athena table over the decisions table (log-ingest's decisions/ layout), with
-- partition projection, like athena_table.sql. Replace ${OutputBucket} before running, or
-- let infra/template.yaml (ChatDecisionsTable) do it. Column docs: log-ingest/SCHEMA.md,
-- "Decisions table". Queries: sql/ at the workspace root.
CREATE EXTERNAL TABLE IF NOT EXISTS ivs_chat.decisions (
  `time`        timestamp,
  message_id    string,
  room_id       string,
  user_id       string,
  ip            string,
  result        string,
  action        string,
  outcome       string,
  rules         array<string>,
  categories    array<string>,
  shadow_rules  array<string>,
  pack          string,
  pack_version  string,
  elapsed_us    bigint,
  detail        string,
  source        string,
  source_line   bigint,
  source_ref    string
)
PARTITIONED BY (room string, `date` string)
STORED AS PARQUET
LOCATION 's3://${OutputBucket}/decisions/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.room.type' = 'injected',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2022-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${OutputBucket}/decisions/room=${room}/date=${date}/'
);
