//! The Arrow schema of a table and a builder that appends rows column by column, both
//! derived from the table's one schema ([`crate::schema::Column`] for chat rows,
//! [`crate::decisions::schema::DecisionColumn`] for decisions: any [`TableColumn`]).

use std::sync::{Arc, OnceLock};

use arrow::array::{
    ArrayRef, Int64Builder, ListBuilder, MapBuilder, StringBuilder, TimestampMillisecondBuilder,
    TimestampNanosecondBuilder,
};
use arrow::datatypes::{Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use crate::record::{Cell, ChatRow, ListRef, MapRef, RowRef};
use crate::schema::{Column, ColumnKind, TableColumn};

/// The Arrow schema of the Parquet output: [`Column::ALL`] in order; column docs are in
/// `SCHEMA.md`.
pub fn arrow_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(
                Column::ALL
                    .iter()
                    .map(|c| c.arrow_field())
                    .collect::<Vec<_>>(),
            ))
        })
        .clone()
}

/// The Arrow schema of any table: its columns in order ([`arrow_schema`] for chat rows).
pub fn table_schema<C: TableColumn>() -> SchemaRef {
    Arc::new(Schema::new(
        C::all().iter().map(|c| c.arrow_field()).collect::<Vec<_>>(),
    ))
}

/// The builder of one column, of the column's kind. Sizes differ (a map builder is
/// large), but there is one per column, created once per partition: not worth a box.
#[allow(clippy::large_enum_variant)]
enum Builder {
    Millis(TimestampMillisecondBuilder),
    Nanos(TimestampNanosecondBuilder),
    Text(StringBuilder),
    Int(Int64Builder),
    Map(MapBuilder<StringBuilder, StringBuilder>),
    List(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: ColumnKind) -> Builder {
        match kind {
            ColumnKind::TimestampMillis => {
                Builder::Millis(TimestampMillisecondBuilder::new().with_timezone("UTC"))
            }
            ColumnKind::TimestampNanos => {
                Builder::Nanos(TimestampNanosecondBuilder::new().with_timezone("UTC"))
            }
            ColumnKind::Text => Builder::Text(StringBuilder::new()),
            ColumnKind::Int64 => Builder::Int(Int64Builder::new()),
            ColumnKind::TextMap => Builder::Map(MapBuilder::new(
                None,
                StringBuilder::new(),
                StringBuilder::new(),
            )),
            ColumnKind::TextList => Builder::List(ListBuilder::new(StringBuilder::new())),
        }
    }

    #[inline]
    fn append<C: TableColumn>(&mut self, column: C, cell: Cell<'_>) -> Result<(), ArrowError> {
        match (self, cell) {
            // The millisecond column holds whole milliseconds (floored, also before 1970).
            (Builder::Millis(b), Cell::Time(v)) => {
                b.append_option(v.map(|ns| ns.div_euclid(1_000_000)))
            }
            (Builder::Nanos(b), Cell::Time(v)) => b.append_option(v),
            (Builder::Text(b), Cell::Text(v)) => b.append_option(v),
            // Int64, not UInt64: Athena/Hive have no unsigned integers. Positions fit easily.
            (Builder::Int(b), Cell::Int(v)) => {
                b.append_option(v.and_then(|v| i64::try_from(v).ok()))
            }
            (Builder::Map(b), Cell::Map(m)) => return append_map(b, m),
            (Builder::List(b), Cell::List(l)) => append_list(b, l),
            (_, cell) => {
                return Err(ArrowError::InvalidArgumentError(format!(
                    "column {}: a {:?} cell for a {:?} column",
                    column.name(),
                    cell,
                    column.kind()
                )))
            }
        }
        Ok(())
    }

    /// The column built so far; the builder is left empty, a text builder sized for a
    /// batch like this one, so the next batch appends without growing (copying) its
    /// buffers (`finish` leaves builders without capacity).
    fn finish(&mut self, rows: usize) -> ArrayRef {
        match self {
            Builder::Millis(b) => Arc::new(b.finish()),
            Builder::Nanos(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Map(b) => Arc::new(b.finish()),
            Builder::List(b) => Arc::new(b.finish()),
            Builder::Text(b) => {
                let col = b.finish();
                *b = StringBuilder::with_capacity(rows, col.value_data().len());
                Arc::new(col)
            }
        }
    }
}

fn append_map(
    b: &mut MapBuilder<StringBuilder, StringBuilder>,
    m: Option<MapRef<'_>>,
) -> Result<(), ArrowError> {
    match m {
        Some(m) => {
            m.for_each(|k, v| {
                b.keys().append_value(k);
                b.values().append_value(v);
            });
            b.append(true)
        }
        None => b.append(false),
    }
}

fn append_list(b: &mut ListBuilder<StringBuilder>, l: Option<ListRef<'_>>) {
    match l {
        Some(l) => {
            l.for_each(|item| b.values().append_option(item));
            b.append(true);
        }
        None => b.append(false),
    }
}

/// Column builders for a batch of rows, one per column of the table `C` in table order
/// (chat rows by default).
pub struct ColumnBuilder<C: TableColumn = Column> {
    columns: Vec<Builder>,
    schema: SchemaRef,
    len: usize,
    table: std::marker::PhantomData<C>,
}

impl<C: TableColumn> Default for ColumnBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: TableColumn> ColumnBuilder<C> {
    /// Empty builders.
    pub fn new() -> Self {
        ColumnBuilder {
            columns: C::all().iter().map(|c| Builder::new(c.kind())).collect(),
            schema: table_schema::<C>(),
            len: 0,
            table: std::marker::PhantomData,
        }
    }

    /// The Arrow schema of the batches.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Rows appended since the last [`ColumnBuilder::finish`].
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no row is buffered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one row, given as the cell of each column.
    pub fn append_cells<'r>(&mut self, cell: impl Fn(C) -> Cell<'r>) -> Result<(), ArrowError> {
        for (b, c) in self.columns.iter_mut().zip(C::all()) {
            b.append(*c, cell(*c))?;
        }
        self.len += 1;
        Ok(())
    }

    /// Builds a batch of the buffered rows (in schema order) and resets the builders.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let rows = self.len;
        let cols: Vec<ArrayRef> = self.columns.iter_mut().map(|b| b.finish(rows)).collect();
        self.len = 0;
        RecordBatch::try_new(self.schema.clone(), cols)
    }
}

impl ColumnBuilder<Column> {
    /// Appends one owned chat row.
    pub fn append(&mut self, r: &ChatRow) -> Result<(), ArrowError> {
        self.append_row(&r.row())
    }

    /// Appends one borrowed chat row.
    pub fn append_row(&mut self, r: &RowRef<'_>) -> Result<(), ArrowError> {
        self.append_cells(|c| r.cell(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_the_column_table() {
        let schema = arrow_schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let want: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names, want);
    }

    #[test]
    fn a_batch_has_the_schema_and_a_second_batch_too() {
        let mut b: ColumnBuilder = ColumnBuilder::new();
        let row = RowRef {
            event_timestamp: -1,
            r#type: crate::envelope::RecordType::Message,
            version: "1.0",
            account_id: None,
            region: None,
            room_id: None,
            room_arn: None,
            id: "m1",
            request_id: None,
            event_name: None,
            content: Some("hi"),
            send_time: Some(5),
            sender_user_id: None,
            sender_attributes: None,
            attributes: None,
            target_message_id: None,
            target_user_id: None,
            reason: None,
            payload_extra: None,
            envelope_extra: None,
            source: "s",
            source_line: Some(1),
            source_offset: None,
            source_ref: None,
        };
        for _ in 0..2 {
            b.append_row(&row).unwrap();
            let batch = b.finish().unwrap();
            assert_eq!(
                (batch.num_rows(), batch.num_columns()),
                (1, Column::ALL.len())
            );
            let ts = batch.column(Column::EventTimestamp.index());
            let ts = arrow::array::AsArray::as_primitive::<
                arrow::datatypes::TimestampMillisecondType,
            >(ts);
            assert_eq!(ts.value(0), -1, "floored to whole milliseconds");
            assert!(batch.column(Column::RoomId.index()).is_null(0));
        }
    }
}
