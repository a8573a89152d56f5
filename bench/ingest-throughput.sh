#!/usr/bin/env bash
# Throughput of `log-ingest` (IVS S3 log objects -> Parquet) next to, in the same run and
# on the same files: `gzip -dc > /dev/null` (the decompression bound) and DuckDB
# converting the same files to Parquet. Also peak RSS of log-ingest (/usr/bin/time -v).
#
# Usage: bench/ingest-throughput.sh [--size-mb N] [--objects N] [--work DIR]
#   --size-mb  uncompressed corpus size (default 1024: the real run; use e.g. 64 for a quick run)
#   --objects  number of .log.gz objects (default 16)
#   --work     scratch directory (default .work/ingest-bench; the corpus is reused if present)
# Needs: cargo, gzip, /usr/bin/time (GNU time), .venv/bin/python with duckdb.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=1024
OBJECTS=16
WORK=.work/ingest-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --objects) OBJECTS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for tool in gzip /usr/bin/time .venv/bin/python; do
  command -v "$tool" >/dev/null || { echo "missing $tool (see scripts/setup.sh)" >&2; exit 1; }
done
.venv/bin/python -c 'import duckdb' || { echo "duckdb missing in .venv" >&2; exit 1; }

cargo build --release -q -p log-ingest --bin log-ingest --example gen_corpus
BIN=target/release/log-ingest
CORPUS="$WORK/corpus-${SIZE_MB}mb-${OBJECTS}"
if [ ! -d "$CORPUS" ]; then
  echo "generating $SIZE_MB MB corpus in $CORPUS ..." >&2
  target/release/examples/gen_corpus "$CORPUS.tmp" "$SIZE_MB" "$OBJECTS"
  mv "$CORPUS.tmp" "$CORPUS"
fi
mapfile -t FILES < <(find "$CORPUS" -name '*.log.gz' | sort)
BYTES=$(for f in "${FILES[@]}"; do gzip -dc "$f"; done | wc -c)
GZBYTES=$(cat "${FILES[@]}" | wc -c)
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}')
echo "corpus: ${#FILES[@]} objects, $MB MB uncompressed, $(awk -v b="$GZBYTES" 'BEGIN{printf "%.1f", b/1e6}') MB gzip"

now() { date +%s.%N; }
rate() { awk -v b="$BYTES" -v s="$1" 'BEGIN{printf "%7.1f MB/s (%6.2f s)", b/1e6/s, s}'; }

# CPU seconds (user + system) of a `/usr/bin/time -v` report: less sensitive than wall
# time to other work on a shared machine.
cpu() { awk -F: '/User time|System time/{s+=$2} END{printf "%.2f", s}' "$1"; }

# 1. decompression bound (single thread, like one log-ingest job)
t0=$(now)
/usr/bin/time -v -o "$WORK/time-gzip.txt" bash -c 'for f in "$@"; do gzip -dc "$f" > /dev/null; done' _ "${FILES[@]}"
t1=$(now)
GZIP_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')

# 2. log-ingest, 1 and 2 jobs, with peak RSS
run_ingest() {
  local jobs=$1 out="$WORK/out-j$1"
  rm -rf "$out"
  local t0 t1
  t0=$(now)
  /usr/bin/time -v -o "$WORK/time-j$jobs.txt" "$BIN" files "$CORPUS" --out "$out" --jobs "$jobs" --progress never > "$WORK/report-j$jobs.json"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}'
}
J1_S=$(run_ingest 1)
J2_S=$(run_ingest 2)
RSS1=$(awk -F: '/Maximum resident/{gsub(/ /,"",$2); print $2}' "$WORK/time-j1.txt")
RSS2=$(awk -F: '/Maximum resident/{gsub(/ /,"",$2); print $2}' "$WORK/time-j2.txt")
grep -q '"failed": 0' "$WORK/report-j2.json" || { echo "log-ingest reported failures" >&2; cat "$WORK/report-j2.json" >&2; exit 1; }

# 3. DuckDB: same files to one zstd Parquet file (DuckDB uses all cores)
rm -f "$WORK/duckdb.parquet"
t0=$(now)
/usr/bin/time -v -o "$WORK/time-duckdb.txt" .venv/bin/python - "$CORPUS" "$WORK/duckdb.parquet" <<'PY'
import sys, duckdb
src, dst = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"""COPY (SELECT * FROM read_json('{src}/**/*.log.gz', format='newline_delimited',
    compression='gzip', maximum_object_size=1048576)) TO '{dst}' (FORMAT parquet, COMPRESSION zstd)""")
PY
t1=$(now)
DUCK_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')

echo "gzip -dc > /dev/null (1 thread):   $(rate "$GZIP_S")  cpu $(cpu "$WORK/time-gzip.txt") s"
echo "log-ingest -> Parquet, --jobs 1:   $(rate "$J1_S")  cpu $(cpu "$WORK/time-j1.txt") s  peak RSS $((RSS1/1024)) MB"
echo "log-ingest -> Parquet, --jobs 2:   $(rate "$J2_S")  cpu $(cpu "$WORK/time-j2.txt") s  peak RSS $((RSS2/1024)) MB"
echo "DuckDB read_json -> Parquet (all cores): $(rate "$DUCK_S")  cpu $(cpu "$WORK/time-duckdb.txt") s"
awk -v g="$GZIP_S" -v j1="$J1_S" -v j2="$J2_S" -v d="$DUCK_S" 'BEGIN{
  printf "ratios: jobs1/gzip time %.2fx, jobs2/gzip time %.2fx, jobs2 vs DuckDB speed %.2fx, jobs1 vs DuckDB speed %.2fx\n", j1/g, j2/g, d/j2, d/j1 }'
