//! A Parquet writer on its own thread: the caller builds Arrow batches (parse + append)
//! while the previous batch is encoded and compressed, so one source uses two cores.
//!
//! At most [`QUEUED_BATCHES`] batches wait in the channel: memory stays bounded.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;

use crate::error::IngestError;

/// Batches waiting to be encoded, per open partition.
pub const QUEUED_BATCHES: usize = 2;

/// An [`ArrowWriter`] running on a background thread.
pub struct BackgroundWriter {
    path: PathBuf,
    tx: Option<SyncSender<RecordBatch>>,
    handle: Option<JoinHandle<Result<(), String>>>,
}

impl BackgroundWriter {
    /// Moves `writer` (writing `path`) to a new thread.
    pub fn spawn(writer: ArrowWriter<File>, path: &Path) -> Result<Self, IngestError> {
        let (tx, rx) = sync_channel::<RecordBatch>(QUEUED_BATCHES);
        let handle = std::thread::Builder::new()
            .name("parquet-writer".to_string())
            .spawn(move || {
                let mut w = writer;
                for batch in rx {
                    w.write(&batch).map_err(|e| e.to_string())?;
                }
                w.close().map(|_| ()).map_err(|e| e.to_string())
            })
            .map_err(|e| IngestError::io(path, e))?;
        Ok(BackgroundWriter {
            path: path.to_path_buf(),
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    fn error(&self, detail: String) -> IngestError {
        IngestError::Parquet {
            path: self.path.clone(),
            detail,
        }
    }

    /// Waits for the thread; its error, if it failed.
    fn join(&mut self) -> Result<(), IngestError> {
        self.tx = None;
        match self.handle.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(detail))) => Err(self.error(detail)),
            Some(Err(_)) => Err(self.error("parquet writer thread panicked".to_string())),
        }
    }

    /// Queues one batch (blocks while [`QUEUED_BATCHES`] are waiting).
    pub fn write(&mut self, batch: RecordBatch) -> Result<(), IngestError> {
        let sent = self.tx.as_ref().map(|tx| tx.send(batch).is_ok());
        match sent {
            Some(true) => Ok(()),
            // The thread stopped early: it failed; report why.
            _ => match self.join() {
                Ok(()) => Err(self.error("parquet writer thread stopped".to_string())),
                Err(e) => Err(e),
            },
        }
    }

    /// Encodes what is queued, writes the footer and closes the file.
    pub fn close(mut self) -> Result<(), IngestError> {
        self.join()
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        // Never leave the thread writing a file its owner is about to remove.
        let _ = self.join();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    fn batch(n: i64) -> RecordBatch {
        let schema = Schema::new(vec![Field::new("n", DataType::Int64, false)]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![Arc::new(Int64Array::from_iter_values(0..n))],
        )
        .unwrap()
    }

    #[test]
    fn batches_are_written_in_order_and_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        let w =
            ArrowWriter::try_new(File::create(&path).unwrap(), batch(0).schema(), None).unwrap();
        let mut bg = BackgroundWriter::spawn(w, &path).unwrap();
        for n in [3, 5, 7, 11] {
            bg.write(batch(n)).unwrap();
        }
        bg.close().unwrap();
        let rows: usize = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap().num_rows())
            .sum();
        assert_eq!(rows, 26);
    }

    #[test]
    fn an_encoding_error_on_the_thread_is_reported_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        let w =
            ArrowWriter::try_new(File::create(&path).unwrap(), batch(0).schema(), None).unwrap();
        let mut bg = BackgroundWriter::spawn(w, &path).unwrap();
        let wrong = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, false)])),
            vec![Arc::new(StringArray::from(vec!["a"]))],
        )
        .unwrap();
        // The error surfaces on a later write or at the latest on close.
        let mut outcome = bg.write(wrong);
        for _ in 0..QUEUED_BATCHES + 2 {
            if outcome.is_err() {
                break;
            }
            outcome = bg.write(batch(1));
        }
        let err = match outcome {
            Err(e) => e,
            Ok(()) => bg.close().unwrap_err(),
        };
        let msg = err.to_string();
        assert!(msg.contains("x.parquet"), "{msg}");
        assert!(msg.contains("Incompatible type"), "{msg}");
    }
}
