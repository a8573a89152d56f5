#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer via cargo-fuzz) of every fuzz target in the
# workspace: rules (review requests, pack TOML) and log-ingest (envelopes, readers).
# Needs a nightly toolchain (`cargo +nightly`) and cargo-fuzz (`cargo install cargo-fuzz`).
# Each fuzz crate is its own workspace with its own target/ and corpus/ (git-ignored).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 300 s, all targets)
#
# Exits non-zero as soon as a target finds a crash; the reproducer is kept under
# <crate>/fuzz/artifacts/<target>/ (replay it with `cargo +nightly fuzz run <target> FILE`).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
shift || true
command -v cargo-fuzz > /dev/null || { echo "[fuzz] cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 1; }
rustup run nightly rustc --version > /dev/null 2>&1 || { echo "[fuzz] no nightly toolchain: rustup toolchain install nightly" >&2; exit 1; }
for dir in rules/fuzz log-ingest/fuzz; do
  for target in $(cd "$dir" && cargo +nightly fuzz list); do
    if [ $# -gt 0 ] && [[ " $* " != *" $target "* ]]; then continue; fi
    echo "[fuzz] $dir $target for ${secs}s"
    log="$dir/target/fuzz-$target.log"; mkdir -p "$dir/target"
    before=$(ls "$dir/artifacts/$target" 2>/dev/null | sort || true)
    status=0
    (cd "$dir" && cargo +nightly fuzz run "$target" -- -max_total_time="$secs" -rss_limit_mb=2048) \
      > "$log" 2>&1 || status=$?
    grep -E "^#[0-9]+ +DONE" "$log" || true
    after=$(ls "$dir/artifacts/$target" 2>/dev/null | sort || true)
    if [ "$status" != 0 ] || [ "$before" != "$after" ]; then
      echo "[fuzz] $target failed (exit $status); new artifacts:" >&2
      comm -13 <(echo "$before") <(echo "$after") | sed "s#^#  $dir/artifacts/$target/#" >&2
      tail -30 "$log" >&2
      exit 1
    fi
  done
done
echo "[fuzz] no crash found"
