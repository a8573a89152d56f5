#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test including those against local
# servers (moto, cargo lambda watch), then the arm64 Lambda artifacts infra/ deploys.
# Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[test] %s\n' "$*"; }

bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
# A clean clone gains nothing from incremental state (it is written, never reused) and it
# costs gigabytes of disk: see the profile note in Cargo.toml.
export CARGO_INCREMENTAL=0
say "disk free at start: $(df -h --output=avail . | tail -1 | tr -d ' ')"

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "building every binary (end-to-end tests run them under cargo lambda watch)"
cargo build --workspace --bins --locked
say "cargo test (unit, property, and end-to-end tests against moto and the local Lambda runtime)"
cargo test --workspace --locked
say "deployable arm64 Lambda artifacts (cargo lambda build --release --arm64, checked as aarch64 ELF)"
bash scripts/build-lambdas.sh
say "target size: $(du -sh target | cut -f1), disk free: $(df -h --output=avail . | tail -1 | tr -d ' ')"
say "all checks passed"
