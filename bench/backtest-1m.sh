#!/usr/bin/env bash
# Backtest throughput: N messages (default 1,000,000; the test chat of
# backtest/tests/common/chat.rs, a day over 8 rooms, about a third with something a rule
# reacts to, 2 % deleted by moderators) as a log-ingest Parquet table, then in ONE run:
#   1. `rules-backtest bundled --chat TABLE --json ...` (full bundled default pack, every core:
#      read + parse Parquet, evaluate, aggregate, write the report);
#   2. `rules eval bundled` over the same messages as review requests (JSON lines, one thread);
#   3. rustrict 0.7 (bench/rules-compare, one thread) and our engine in the same
#      process, on the first RUSTRICT_N (default 100,000) texts.
# Reports wall time, messages/second and the ratios. Goal: 1M in < 10 s on 2 cores.
#
#   bench/backtest-1m.sh [N]        (needs ~1 GB free under $TMPDIR for 1M)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
rustrict_n=${RUSTRICT_N:-100000}
cargo build --release -q -p backtest --bin rules-backtest --example gen_backtest_bench
cargo build --release -q -p rules --bin rules
cargo build --release -q --manifest-path bench/rules-compare/Cargo.toml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t0=$(date +%s.%N)
target/release/examples/gen_backtest_bench "$n" "$work"
t1=$(date +%s.%N)
echo "generated $n messages in $(echo "$t1 - $t0" | bc -l | cut -c1-5) s: $(du -sh "$work/table" | cut -f1) Parquet, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work"/table/*/*/*.parquet > /dev/null

/usr/bin/time -f '%e %U %S %M' -o "$work/t.backtest" \
  target/release/rules-backtest bundled --chat "$work/table" --json "$work/report.json" > "$work/summary"
/usr/bin/time -f '%e %U %S %M' -o "$work/t.eval" \
  target/release/rules eval bundled < "$work/requests.jsonl" > /dev/null
head -n "$rustrict_n" "$work/corpus.jsonl" > "$work/corpus-head.jsonl"
bench/rules-compare/target/release/rules-compare --messages "$work/corpus-head.jsonl" 1 > "$work/compare"

head -3 "$work/summary"
python3 - "$n" "$work" <<'PY'
import json, sys
n, work = int(sys.argv[1]), sys.argv[2]
def t(name):
    wall, user, sys_, rss = open(f"{work}/t.{name}").read().split()
    return float(wall), float(user) + float(sys_), int(rss) // 1024
bt, ev = t("backtest"), t("eval")
rows = [json.loads(l) for l in open(f"{work}/compare") if l.strip()]
ours = next(r for r in rows if r["impl"].startswith("rules"))["msgs_per_sec"]
print(f"\n| run | messages | wall s | CPU s | peak RSS MB | msgs/s (wall) | ÷ rules-backtest |")
print("|---|---:|---:|---:|---:|---:|---:|")
print(f"| rules-backtest bundled (all cores, Parquet in, JSON report out) | {n:,} | {bt[0]:.2f} | {bt[1]:.2f} | {bt[2]} | {n / bt[0]:,.0f} | 1.00x |")
print(f"| rules eval bundled (1 thread, JSON lines in and out) | {n:,} | {ev[0]:.2f} | {ev[1]:.2f} | {ev[2]} | {n / ev[0]:,.0f} | {(n / bt[0]) / (n / ev[0]):.2f}x |")
for r in rows:
    print(f"| {r['impl']} (1 thread, in-process, first {r['messages']:,} texts, flagged {r['flagged']:,}) | {r['messages']:,} | | | | {r['msgs_per_sec']:,.0f} | {(n / bt[0]) / r['msgs_per_sec']:.2f}x |")
print(f"\n1M-message goal (< 10 s on 2 cores): {'met' if bt[0] * 1_000_000 / n < 10 else 'NOT met'} ({bt[0] * 1_000_000 / n:.2f} s per 1M at this size)")
PY
