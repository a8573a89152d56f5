#!/usr/bin/env bash
# The whole pipeline end to end on local stand-ins (see tests/src/bin/pipeline_demo.rs):
# a simulated live show (with a spammer and a raid) goes through the review handler under
# `cargo lambda watch` with the example pack and its DynamoDB state table on moto; its chat
# logs land in a local moto S3 in the IVS layout, get ingested to Parquet, the handler's
# audit lines to the decisions table, a stricter pack is backtested against the chat, and
# a chat replay (JSON + WebVTT) is rendered for a generated recording.
# Installs what it needs first (scripts/setup.sh). Extra arguments go to pipeline-demo
# (try --help), e.g. scripts/demo.sh --messages 1000 --out /tmp/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "[demo] building the binaries (first time: a few minutes)"
cargo build --workspace --bins --locked
exec target/debug/pipeline-demo "$@"
