#!/usr/bin/env bash
# p50/p99 latency of the review handler: in process, and invoked over HTTP through the
# real Lambda Runtime API of `cargo lambda watch`, against an echo Lambda in the same run.
# Needs .venv/bin/cargo-lambda (scripts/setup.sh). Usage: bench/handler-invoke.sh
#
# The bench executable is run directly, not under `cargo bench`, so that cargo's build
# lock is not held (by us) while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
test -x .venv/bin/cargo-lambda || { echo "missing .venv/bin/cargo-lambda: run scripts/setup.sh" >&2; exit 1; }
cargo build --release -p test-support --bin echo-lambda
cargo build --release -p review-handler --bin review-handler
exe=$(cargo bench -p review-handler --bench invoke --no-run --message-format=json \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "invoke":
        print(m["executable"])')
test -n "$exe" || { echo "could not find the bench executable" >&2; exit 1; }
ECHO_LAMBDA_BIN="$PWD/target/release/echo-lambda" "$exe" --bench
