//! XLSX output through `rust_xlsxwriter`, one worksheet written row by row with constant memory.

use std::io::{Seek, Write};

use rust_xlsxwriter::{Format, Workbook};

use super::ExportColumn;

/// Rows of a worksheet, the header's included.
const MAX_ROWS: u32 = 1_048_576;
use crate::error::{Error, Result};

fn xlsx(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io {
        message: "cannot write the workbook".into(),
        source: std::io::Error::other(e),
    }
}

/// A workbook of one sheet: call `row` for each record, then `finish` with the output.
pub(crate) struct XlsxSheet {
    workbook: Workbook,
    next: u32,
}

impl XlsxSheet {
    pub(crate) fn new(columns: &[ExportColumn]) -> Result<Self> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook.add_worksheet_with_constant_memory();
        sheet.set_name("Customers").map_err(xlsx)?;
        for (i, c) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16, c.as_str(), &bold)
                .map_err(xlsx)?;
        }
        Ok(Self { workbook, next: 1 })
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) -> Result<()> {
        if self.next >= MAX_ROWS {
            return Err(Error::validation(
                "customers",
                format!(
                    "more than {} customers: more than a worksheet holds",
                    MAX_ROWS - 1
                ),
            ));
        }
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx)?;
        for (i, text) in cells.into_iter().enumerate() {
            if !text.is_empty() {
                // A string cell: a spreadsheet shows it as typed and never runs it as a formula.
                sheet
                    .write_string(self.next, i as u16, text)
                    .map_err(xlsx)?;
            }
        }
        self.next += 1;
        Ok(())
    }

    pub(crate) fn finish<W: Write + Seek + Send>(mut self, out: W) -> Result<()> {
        self.workbook.save_to_writer(out).map_err(xlsx)
    }
}
