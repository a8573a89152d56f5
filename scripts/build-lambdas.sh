#!/usr/bin/env bash
# Builds the deployable Lambda artifacts that infra/template.yaml deploys: one
# `cargo lambda build --release --arm64` (Zig from the venv as the cross linker) for every
# function whose CodeUri is ../target/lambda/<bin>/, then checks that each
# target/lambda/<bin>/bootstrap exists and is a 64-bit little-endian aarch64 Linux ELF
# executable (what the provided.al2023 arm64 runtime runs).
#
#   scripts/build-lambdas.sh          (scripts/setup.sh first: venv, aarch64 std)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[lambdas] %s\n' "$*"; }
test -x .venv/bin/cargo-lambda || { echo "[lambdas] missing .venv/bin/cargo-lambda: run scripts/setup.sh" >&2; exit 1; }
export PATH="$PWD/.venv/bin:$PATH"

# Each binary once, in template order (the decisions ingest reuses the ingest-cloudwatch artifact).
mapfile -t bins < <(sed -n 's#^ *CodeUri: \.\./target/lambda/\([A-Za-z0-9_-]*\)/ *$#\1#p' infra/template.yaml | awk '!seen[$0]++')
[ ${#bins[@]} -gt 0 ] || { echo "[lambdas] no CodeUri ../target/lambda/<bin>/ in infra/template.yaml" >&2; exit 1; }
args=()
for b in "${bins[@]}"; do args+=(--bin "$b"); done
say "cargo lambda build --release --arm64 ${args[*]}"
cargo lambda build --release --arm64 --locked "${args[@]}"

fail=0
for b in "${bins[@]}"; do
  f="target/lambda/$b/bootstrap"
  if [ ! -f "$f" ]; then
    echo "[lambdas] $f: missing after the build" >&2; fail=1; continue
  fi
  # ELF magic, EI_CLASS=2 (64-bit), EI_DATA=1 (little endian), e_machine=0x00b7 (AArch64).
  head=$(od -An -tx1 -N20 "$f" | tr -d ' \n')
  magic=${head:0:8} class=${head:8:2} data=${head:10:2} machine=${head:36:4}
  if [ "$magic" != 7f454c46 ] || [ "$class" != 02 ] || [ "$data" != 01 ] || [ "$machine" != b700 ]; then
    echo "[lambdas] $f: not an aarch64 ELF executable (magic $magic class $class data $data e_machine $machine)" >&2
    fail=1; continue
  fi
  say "$f: aarch64 ELF, $(( $(stat -c %s "$f") / 1024 )) KiB"
done
exit $fail
