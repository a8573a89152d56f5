//! The schema documents say what the one schema table of each table says: `SCHEMA.md`'s
//! column tables and the Athena DDL (`sql/athena_table.sql`, `sql/athena_decisions_table.sql`)
//! list exactly [`Column::ALL`] / [`DecisionColumn::ALL`], in order, with each column's
//! type and nullability; the decisions Glue table of `infra/template.yaml` too.

use std::path::Path;

use log_ingest::decisions::schema::DecisionColumn;
use log_ingest::schema::{Column, TableColumn};

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks the first `| column |` table of `doc` after the line starting with `after`.
fn check_doc_table<C: TableColumn>(doc: &str, after: &str) {
    // Rows of the table whose first cell is a `column`: (name, type cell).
    let rows: Vec<(String, String)> = doc
        .lines()
        .skip_while(|l| !l.starts_with(after))
        .skip_while(|l| !l.starts_with("| column |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string())
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let want: Vec<&str> = C::all().iter().map(|c| c.name()).collect();
    assert_eq!(names, want, "SCHEMA.md column order after {after:?}");
    for ((name, ty), c) in rows.iter().zip(C::all()) {
        // `<Parquet type>[, null][ / <Athena type, when it differs>]`.
        let doc = c.kind().doc_type();
        let want = match (c.nullable(), doc.split_once(" / ")) {
            (false, _) => doc.to_string(),
            (true, Some((parquet, athena))) => format!("{parquet}, null / {athena}"),
            (true, None) => format!("{doc}, null"),
        };
        // `(JSON)` notes what the text holds (`payload_extra`, `envelope_extra`).
        let ty = ty.replacen("string (JSON)", "string", 1);
        assert!(
            ty == want,
            "SCHEMA.md `{name}`: type {ty:?}, the schema says {want:?}"
        );
    }
}

/// Checks the column list of `CREATE EXTERNAL TABLE ... <table> (` in `rel`.
fn check_ddl<C: TableColumn>(rel: &str, table: &str) {
    let sql = read(rel);
    let body = sql
        .split_once(&format!("{table} ("))
        .and_then(|(_, rest)| rest.split_once("\n)"))
        .map(|(cols, _)| cols)
        .unwrap_or_else(|| panic!("{rel}: CREATE EXTERNAL TABLE ... {table} ( ... )"));
    let cols: Vec<(String, String)> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = l.trim_end_matches(',');
            let (name, ty) = l.split_once(char::is_whitespace).expect("name type");
            (name.trim_matches('`').to_string(), ty.trim().to_string())
        })
        .collect();
    let want: Vec<(String, String)> = C::all()
        .iter()
        .map(|c| (c.name().to_string(), c.kind().athena_type().to_string()))
        .collect();
    assert_eq!(cols, want, "{rel}");
}

#[test]
fn schema_md_table_is_the_column_table() {
    check_doc_table::<Column>(&read("SCHEMA.md"), "# Chat record schema");
}

#[test]
fn schema_md_decisions_table_is_the_decision_column_table() {
    check_doc_table::<DecisionColumn>(&read("SCHEMA.md"), "## Decisions table");
}

#[test]
fn athena_ddl_is_the_column_table() {
    check_ddl::<Column>("sql/athena_table.sql", "chat_records");
}

#[test]
fn athena_decisions_ddl_is_the_decision_column_table() {
    check_ddl::<DecisionColumn>("sql/athena_decisions_table.sql", "decisions");
}

#[test]
fn the_glue_decisions_table_is_the_decision_column_table() {
    let template = read("../infra/template.yaml");
    let table = template
        .split_once("        Name: decisions\n")
        .map(|(_, rest)| rest)
        .expect("infra/template.yaml: a Glue TableInput named decisions");
    let cols: Vec<(String, String)> = table
        .lines()
        .skip_while(|l| l.trim() != "Columns:")
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("- {Name:"))
        .map(|l| {
            let inner = l.trim().trim_start_matches("- {").trim_end_matches('}');
            let (name, ty) = inner.split_once(", Type: ").expect("{Name: n, Type: t}");
            let name = name.trim_start_matches("Name: ").to_string();
            (name, ty.trim_matches('"').to_string())
        })
        .collect();
    let want: Vec<(String, String)> = DecisionColumn::ALL
        .iter()
        .map(|c| (c.name().to_string(), c.kind().athena_type().to_string()))
        .collect();
    assert_eq!(cols, want);
}
