//! CSV output: UTF-8, optional byte order mark, formula-safe cells.

use std::io::Write;

use super::{ExportColumn, neutralised};
use crate::error::{Error, Result};

fn io(e: impl Into<std::io::Error>) -> Error {
    Error::Io {
        message: "cannot write the export".into(),
        source: e.into(),
    }
}

/// A CSV writer over `out`: call `row` for each record, then `finish`.
pub(crate) struct CsvSheet<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvSheet<W> {
    pub(crate) fn new(mut out: W, columns: &[ExportColumn], bom: bool) -> Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes()).map_err(io)?;
        }
        let mut writer = csv::WriterBuilder::new().from_writer(out);
        writer
            .write_record(columns.iter().map(|c| c.as_str()))
            .map_err(|e| io(std::io::Error::other(e)))?;
        Ok(Self { writer })
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) -> Result<()> {
        self.writer
            .write_record(cells.into_iter().map(neutralised))
            .map_err(|e| io(std::io::Error::other(e)))
    }

    pub(crate) fn finish(mut self) -> Result<()> {
        self.writer.flush().map_err(io)
    }
}
