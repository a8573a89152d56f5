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
export ECHO_LAMBDA_BIN="$PWD/target/release/echo-lambda"

echo "== 1. machine loopback, kernel defaults (delayed ACKs on)"
"$exe" --bench

# cargo lambda watch's Runtime API writes a response's head and body in two writes on a
# socket with Nagle's algorithm on; when the Lambda's side delays its ACK of the head
# (Linux delayed ACK, 40 ms minimum), the body waits for it: the ~45 ms tail of run 1,
# visible with `strace -tt -e recvfrom` on the Lambda (head, then body 40-50 ms later).
# Run 2 repeats the bench in a private network namespace whose loopback routes have
# `quickack 1` (no delayed ACKs), which isolates our handler's cost from that artefact.
# AWS Lambda's own Runtime API is a different server; neither run models it exactly.
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && command -v ip > /dev/null; then
  echo "== 2. private network namespace, loopback routes with quickack 1"
  unshare --net bash -euo pipefail -c '
    ip link set lo up
    ip route change local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 table local quickack 1
    ip route change local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 table local quickack 1
    exec "$0" --bench' "$exe"
else
  echo "== 2. skipped: needs root, unshare and ip (iproute2) for a private network namespace"
fi
