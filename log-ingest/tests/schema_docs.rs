//! The schema documents say what the one schema table says: `SCHEMA.md`'s column table
//! and the Athena DDL (`sql/athena_table.sql`) list exactly [`Column::ALL`], in order,
//! with each column's type and nullability.

use std::path::Path;

use log_ingest::schema::Column;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn schema_md_table_is_the_column_table() {
    let doc = read("SCHEMA.md");
    // Rows of the first table whose first cell is a `column`: (name, type cell).
    let rows: Vec<(String, String)> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| column |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string())
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let want: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(names, want, "SCHEMA.md column order");
    for ((name, ty), c) in rows.iter().zip(Column::ALL) {
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

#[test]
fn athena_ddl_is_the_column_table() {
    let sql = read("sql/athena_table.sql");
    let body = sql
        .split_once("chat_records (")
        .and_then(|(_, rest)| rest.split_once("\n)"))
        .map(|(cols, _)| cols)
        .expect("CREATE EXTERNAL TABLE ... chat_records ( ... )");
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
    let want: Vec<(String, String)> = Column::ALL
        .iter()
        .map(|c| (c.name().to_string(), c.kind().athena_type().to_string()))
        .collect();
    assert_eq!(cols, want);
}
