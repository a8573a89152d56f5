#!/usr/bin/env bash
# Installs what the build, the tests and the demo need, idempotently, and says what it does:
#   - Debian packages listed in scripts/apt-packages.txt (only those missing),
#   - a Python venv at .venv with the pinned tools of scripts/requirements-dev.txt
#     (moto server, cargo-lambda, ziglang, duckdb, pyarrow, cfn-lint),
#   - the aarch64-unknown-linux-gnu Rust target (rustup), for the arm64 Lambda artifacts.
# Needs: Debian, a Rust toolchain (cargo), python3 with venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[setup] %s\n' "$*"; }

command -v cargo >/dev/null || { echo "[setup] cargo not found: install Rust (rustup) first" >&2; exit 1; }
command -v python3 >/dev/null || { echo "[setup] python3 not found" >&2; exit 1; }

# Debian packages.
missing=()
while read -r pkg; do
  pkg="${pkg%%#*}"; pkg="$(echo "$pkg" | xargs)"
  [ -n "$pkg" ] || continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/apt-packages.txt
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages: all present"
fi

# The aarch64 standard library, for the arm64 Lambda artifacts (scripts/build-lambdas.sh).
if command -v rustup >/dev/null; then
  if rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    say "Rust target aarch64-unknown-linux-gnu: present"
  else
    say "adding Rust target aarch64-unknown-linux-gnu (arm64 Lambda artifacts)"
    rustup target add aarch64-unknown-linux-gnu
  fi
else
  say "rustup not found: add the aarch64-unknown-linux-gnu std yourself to build arm64 artifacts"
fi

# Python tools, pinned, in a venv under the repo.
if [ ! -x .venv/bin/python ]; then
  say "creating Python venv in .venv"
  python3 -m venv .venv
fi
stamp=.venv/.requirements-installed
if [ ! -f "$stamp" ] || ! cmp -s scripts/requirements-dev.txt "$stamp"; then
  say "installing pinned Python tools into .venv: $(tr '\n' ' ' < scripts/requirements-dev.txt)"
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-dev.txt
  cp scripts/requirements-dev.txt "$stamp"
else
  say "Python tools in .venv: up to date"
fi
say "ready: moto $(.venv/bin/python -c 'import moto; print(moto.__version__)' 2>/dev/null || echo MISSING), $(.venv/bin/cargo-lambda lambda --version 2>/dev/null | head -1 || echo 'cargo-lambda MISSING')"
