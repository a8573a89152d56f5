use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Int64Type, TimestampMillisecondType};
use rules::audit::{DecisionAction, DecisionOutcome, DecisionRecord, RecordKind};
use rules::{ReviewResult, Verdict};

use super::*;
use crate::record::Cell;
use crate::schema::{ColumnKind, TableColumn};

fn record(id: &str, room: Option<&str>, time: &str) -> DecisionRecord {
    DecisionRecord {
        kind: RecordKind::Decision,
        time: time.into(),
        message_id: Some(id.into()),
        room: room.map(str::to_string),
        user_id: Some("hmac-sha256:ab".into()),
        ip: None,
        result: ReviewResult::Deny,
        action: DecisionAction::Verdict(Verdict::Deny),
        outcome: DecisionOutcome::Evaluated,
        rules: vec!["slurs".into(), "links".into()],
        categories: vec![Some("hate".into()), None],
        shadow_rules: vec!["new-list".into()],
        pack: "default".into(),
        pack_version: Some("\"e1\"".into()),
        elapsed_us: 41,
        detail: None,
    }
}

fn line<'a>(text: &'a str, n: u64) -> LogLine<'a> {
    LogLine {
        text: text.as_bytes(),
        pos: Position {
            line: Some(n),
            offset: None,
        },
        source_ref: Some("ev"),
    }
}

fn batch(dir: &Path, lines: &[String]) -> SourceReport {
    let opts = IngestOptions::new(dir);
    let lines: Vec<LogLine<'_>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| line(l, i as u64 + 1))
        .collect();
    route_decision_lines(lines, "cloudwatch:/aws/lambda/h/s", "stem-0", &opts).unwrap()
}

fn read_parquet(path: &Path) -> arrow::record_batch::RecordBatch {
    let f = std::fs::File::open(path).unwrap();
    let mut r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    r.next().unwrap().unwrap()
}

#[test]
fn decisions_are_written_other_lines_skipped_bad_decisions_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let good = record("m1", Some("abc"), "2023-01-05T14:33:32.894Z").to_json_line();
    let lines = vec![
        "START RequestId: 8f5 Version: $LATEST".to_string(),
        good.clone(),
        r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Decisions":1,"Action":"deny"}"#.into(),
        good.replace("\"DENY\"", "\"BLOCK\""),
        "END RequestId: 8f5".into(),
        good[..40].to_string(),
        "REPORT RequestId: 8f5\tDuration: 1.05 ms".into(),
        record("m2", None, "2023-01-06T00:00:00.000Z").to_json_line(),
    ];
    let report = batch(dir.path(), &lines);
    assert_eq!(
        (
            report.read,
            report.written,
            report.quarantined,
            report.skipped
        ),
        (4, 2, 2, 4),
        "{report:?}"
    );
    assert!(report.reconciles());
    assert_eq!(
        report.outputs,
        [
            "room=abc/date=2023-01-05/stem-0.parquet",
            "room=unknown/date=2023-01-06/stem-0.parquet"
        ]
    );
    let q = std::fs::read_to_string(dir.path().join(report.quarantine_file.unwrap())).unwrap();
    let q: Vec<serde_json::Value> = q
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(q.len(), 2);
    assert_eq!(
        (q[0]["line"].as_u64(), q[1]["line"].as_u64()),
        (Some(4), Some(6))
    );
    assert!(
        q[0]["reason"].as_str().unwrap().contains("BLOCK"),
        "{}",
        q[0]
    );
    assert!(
        q[1]["reason"].as_str().unwrap().contains("not valid JSON"),
        "{}",
        q[1]
    );
    assert_eq!(q[0]["source_ref"], "ev");
    assert_eq!(q[0]["source"], "cloudwatch:/aws/lambda/h/s");

    let b = read_parquet(&dir.path().join("room=abc/date=2023-01-05/stem-0.parquet"));
    assert_eq!(b.num_rows(), 1);
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let want: Vec<&str> = DecisionColumn::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(names, want);
    let text = |c: DecisionColumn| b.column(c.index()).as_string::<i32>().value(0).to_string();
    assert_eq!(text(DecisionColumn::MessageId), "m1");
    assert_eq!(text(DecisionColumn::RoomId), "abc");
    assert_eq!(text(DecisionColumn::Result), "DENY");
    assert_eq!(text(DecisionColumn::Action), "deny");
    assert_eq!(text(DecisionColumn::Outcome), "evaluated");
    assert_eq!(text(DecisionColumn::PackVersion), "\"e1\"");
    assert!(b.column(DecisionColumn::Ip.index()).is_null(0));
    assert!(b.column(DecisionColumn::Detail.index()).is_null(0));
    let time = b.column(DecisionColumn::Time.index());
    assert_eq!(
        time.as_primitive::<TimestampMillisecondType>().value(0),
        1_672_929_212_894
    );
    let elapsed = b.column(DecisionColumn::ElapsedUs.index());
    assert_eq!(elapsed.as_primitive::<Int64Type>().value(0), 41);
    let list = |c: DecisionColumn| -> Vec<Option<String>> {
        let l = b.column(c.index()).as_list::<i32>().value(0);
        let s = l.as_string::<i32>();
        (0..s.len())
            .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
            .collect()
    };
    assert_eq!(
        list(DecisionColumn::Rules),
        [Some("slurs".into()), Some("links".into())]
    );
    assert_eq!(
        list(DecisionColumn::Categories),
        [Some("hate".into()), None]
    );
    assert_eq!(list(DecisionColumn::ShadowRules), [Some("new-list".into())]);
    let line_no = b.column(DecisionColumn::SourceLine.index());
    assert_eq!(line_no.as_primitive::<Int64Type>().value(0), 2);
}

#[test]
fn every_column_has_a_cell_of_its_kind() {
    let r = record("m", Some("r"), "2023-01-05T14:33:32.894Z");
    let row = DecisionRow {
        record: &r,
        time: 1,
        source: "s",
        source_line: Some(1),
        source_ref: Some("e"),
    };
    for c in DecisionColumn::ALL {
        let ok = matches!(
            (row.cell(c), TableColumn::kind(c)),
            (Cell::Time(_), ColumnKind::TimestampMillis)
                | (Cell::Text(_), ColumnKind::Text)
                | (Cell::Int(_), ColumnKind::Int64)
                | (Cell::List(_), ColumnKind::TextList)
        );
        assert!(ok, "column {}", c.name());
    }
}

#[test]
fn overlong_lines_are_quarantined_when_they_claim_a_decision_else_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = IngestOptions::new(dir.path());
    opts.max_record_bytes = 64;
    let long_decision = format!(r#"{{"kind":"decision","detail":"{}"}}"#, "x".repeat(100));
    let long_other = format!("REPORT {}", "y".repeat(100));
    let report = route_decision_lines(
        [line(&long_decision, 1), line(&long_other, 2)],
        "s",
        "stem-1",
        &opts,
    )
    .unwrap();
    assert_eq!((report.read, report.quarantined, report.skipped), (1, 1, 1));
}

#[test]
fn a_file_of_handler_output_is_ingested_and_reingest_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let opts = IngestOptions::new(dir.path());
    let text = format!(
        "{}\n\n{}\nnot a decision\n",
        record("m1", Some("abc"), "2023-01-05T14:33:32.894Z").to_json_line(),
        record("m2", Some("abc"), "2023-01-05T14:40:00.000Z").to_json_line()
    );
    let run = || {
        ingest_decision_reader(
            std::io::Cursor::new(text.clone().into_bytes()),
            "handler.log",
            "handler.log",
            &opts,
        )
        .unwrap()
    };
    let first = run();
    assert_eq!(
        (first.read, first.written, first.skipped, first.blank_lines),
        (2, 2, 1, 1)
    );
    let again = run();
    assert_eq!(again.outputs, first.outputs);
    assert_eq!(
        read_parquet(&dir.path().join(&first.outputs[0])).num_rows(),
        2
    );
}
