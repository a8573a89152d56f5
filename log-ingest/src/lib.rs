//! IVS Chat log ingestion: parsers for every delivery shape, Parquet/NDJSON sinks, Lambdas and CLI.
