#!/usr/bin/env bash
# End-to-end benchmark of `replay render --vtt`: N raw IVS log lines (plus 1 % delete
# events) read, parsed, aligned on a 2 h playlist with a gap, written as WebVTT.
# Reports wall time, CPU time (user + sys, all threads), peak RSS per size (memory
# must grow linearly), the CLI's own stage timings (REPLAY_TIMINGS: read+parse, align,
# webvtt) and, measured in the same run as a floor, `wc -l` over the same input. On a shared machine the wall time depends on the load; CPU time much less.
#
#   bench/replay-1m.sh [sizes...]      (default: 250000 500000 1000000)
#
# Needs about 650 MB free under $TMPDIR for 1M messages (input + VTT); with a full
# disk, TMPDIR=/dev/shm keeps both in RAM.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ $# -eq 0 ] && sizes=(250000 500000 1000000)
cargo build --release -q -p replay --bin replay --example gen_bench
bin=target/release/replay
gen=target/release/examples/gen_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-9s %10s %9s %8s %8s %11s %8s %8s %8s %9s %8s\n' messages input_MB entries wall_s cpu_s peak_RSS_MB parse_s align_s vtt_s wc_l_s ratio
for n in "${sizes[@]}"; do
  "$gen" "$n" "$work/$n"
  mb=$(( $(stat -c %s "$work/$n/chat.log") / 1000000 ))
  # warm the page cache, then time the floor and the real run
  cat "$work/$n/chat.log" > /dev/null
  t0=$(date +%s.%N); wc -l "$work/$n/chat.log" > /dev/null; t1=$(date +%s.%N)
  REPLAY_TIMINGS=1 /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$bin" render --recording "$work/$n/rec" --chat "$work/$n/chat.log" \
      --vtt "$work/$n/out.vtt" 2> "$work/summary"
  read -r wall rss_kb user sys < "$work/time"
  cpu=$(echo "$user + $sys" | bc -l)
  entries=$(grep -o '"entries":[0-9]*' "$work/summary" | head -1 | cut -d: -f2)
  wc_s=$(echo "$t1 - $t0" | bc -l)
  stage() { sed -n "s/^replay: timing: $1: \([0-9.]*\) s.*/\1/p" "$work/summary"; }
  printf '%-9s %10s %9s %8s %8.2f %11s %8s %8s %8s %9.3f %8.1f\n' "$n" "$mb" "$entries" "$wall" "$cpu" \
    "$((rss_kb / 1024))" "$(stage read+parse)" "$(stage align)" "$(stage webvtt)" "$wc_s" "$(echo "$wall / $wc_s" | bc -l)"
  rm -rf "${work:?}/$n"
done
