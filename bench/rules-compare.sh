#!/usr/bin/env bash
# Throughput of the `rules` engine vs rustrict (Rust), better_profanity (Python) and
# obscenity (npm), in ONE run on the SAME 10,000-message corpus (200 chars each).
# Usage: bash bench/rules-compare.sh        (from the repository root)
# Needs: cargo; optional python venv with better_profanity (scripts/requirements-dev.txt)
# and node/npm (obscenity is installed into bench/rules-compare/node_modules).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/bench/rules-compare"
corpus="$(mktemp -t rules-corpus.XXXXXX.jsonl)"
results="$(mktemp -t rules-results.XXXXXX)"
trap 'rm -f "$corpus" "$results"' EXIT

cargo build --release --quiet --manifest-path "$dir/Cargo.toml"
"$dir/target/release/rules-compare" "$corpus" 5 | tee "$results"

py="$root/.venv/bin/python"
[ -x "$py" ] || py=python3
if "$py" -c 'import better_profanity' 2>/dev/null; then
  "$py" "$dir/compare.py" "$corpus" 1 1000 | tee -a "$results"
else
  echo "note: better_profanity not installed (pip install -r scripts/requirements-dev.txt): skipped" >&2
fi
if command -v npm >/dev/null; then
  (cd "$dir" && npm install --no-audit --no-fund --silent >/dev/null 2>&1) && node "$dir/compare.js" "$corpus" 5 | tee -a "$results" \
    || echo "note: npm obscenity could not be installed: skipped" >&2
else
  echo "note: node/npm not found: obscenity skipped" >&2
fi

"$py" - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
base = rows[0]["msgs_per_sec"]
print("\n| implementation | msgs/s | flagged / 10k | ours ÷ theirs |")
print("|---|---:|---:|---:|")
for r in rows:
    print(f"| {r['impl']} | {r['msgs_per_sec']:,.0f} | {r['flagged']} | {base / r['msgs_per_sec']:.2f}x |")
PY
