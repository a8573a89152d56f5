"""Run analyst queries (log-ingest/sql/, the top-level sql/) on local log-ingest tables with DuckDB.

Usage: .venv/bin/python log-ingest/sql/run_duckdb.py TABLE_ROOT [--decisions DECISIONS_ROOT] QUERY.sql [QUERY.sql ...]

TABLE_ROOT is the chat table (the --out directory of `log-ingest files ...`), the view
`chat_records`; DECISIONS_ROOT the decisions table, the view `decisions`. Prints one JSON
object per query: {"query": file, "columns": [...], "rows": [[...], ...]} (timestamps as
ISO-8601 UTC text).
"""
import json
import sys

import duckdb


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    root, queries = argv[1], argv[2:]
    tables = {"chat_records": root}
    if queries[:1] == ["--decisions"] and len(queries) > 2:
        tables["decisions"], queries = queries[1], queries[2:]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for view, table_root in tables.items():
        glob = table_root.rstrip("/") + "/room=*/date=*/*.parquet"
        con.execute(
            f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)"
        )
    for q in queries:
        with open(q, encoding="utf-8") as f:
            sql = f.read()
        rel = con.sql(sql)
        cols = rel.columns
        # Timestamps as ISO-8601 text (UTC): portable JSON, and no pytz needed.
        exprs = [
            f"strftime(\"{c}\", '%Y-%m-%dT%H:%M:%S.%fZ')" if str(t).startswith("TIMESTAMP") else f'"{c}"'
            for c, t in zip(cols, rel.types)
        ]
        rows = [list(r) for r in rel.project(", ".join(exprs)).fetchall()]
        print(json.dumps({"query": q, "columns": cols, "rows": rows}))


if __name__ == "__main__":
    main(sys.argv)
