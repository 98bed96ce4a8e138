//! The customer list as a PDF: A4 landscape pages of the chosen columns, the header on each
//! page, cells cut to their column with an ellipsis, page numbers; fonts embedded as subsets.

use std::path::PathBuf;

use super::ExportColumn;
use crate::error::{Error, Result};
use crate::pdf::{A4_LANDSCAPE, Doc, Fonts};

/// Most customers in one PDF list (about 500 pages): longer lists go to CSV or XLSX.
pub const MAX_PDF_ROWS: u64 = 20_000;

const MARGIN: f32 = 12.0;
const TOP: f32 = 18.0;
const ROW: f32 = 4.6;
const SIZE: f32 = 7.5;
const LAST_ROW: f32 = 210.0 - 16.0;

/// How wide a column is, relative to the others.
fn weight(c: ExportColumn) -> f32 {
    use ExportColumn as E;
    match c {
        E::CustomerNo
        | E::Title
        | E::Country
        | E::Zip
        | E::Bookings
        | E::ConsentEmail
        | E::ConsentSms
        | E::Language => 1.0,
        E::Id | E::Notes | E::CustomFields | E::SecondaryEmails | E::SecondaryPhones => 3.0,
        E::Email | E::Street | E::Company | E::Lists => 2.2,
        _ => 1.6,
    }
}

/// A list of customers being laid out: `row` each, then `finish`.
pub(crate) struct PdfSheet {
    doc: Doc,
    columns: Vec<ExportColumn>,
    /// The left edge and width of each column (millimetres).
    spans: Vec<(f32, f32)>,
    y: f32,
    rows: u64,
    title: String,
}

impl PdfSheet {
    pub(crate) fn new(columns: &[ExportColumn], fonts: &[PathBuf], title: &str) -> Result<Self> {
        let width = A4_LANDSCAPE.0 - 2.0 * MARGIN;
        let total: f32 = columns.iter().map(|c| weight(*c)).sum();
        let mut x = MARGIN;
        let spans = columns
            .iter()
            .map(|c| {
                let w = width * weight(*c) / total;
                let span = (x, w - 1.5);
                x += w;
                span
            })
            .collect();
        let mut sheet = Self {
            doc: Doc::new(Fonts::load(fonts)?, A4_LANDSCAPE),
            columns: columns.to_vec(),
            spans,
            y: 0.0,
            rows: 0,
            title: title.to_owned(),
        };
        sheet.page()?;
        Ok(sheet)
    }

    fn page(&mut self) -> Result<()> {
        self.doc.page();
        self.doc.text(MARGIN, 11.0, 10.0, &self.title)?;
        for (i, c) in self.columns.iter().enumerate() {
            let (x, w) = self.spans[i];
            let header = self.doc.fit(c.as_str(), SIZE, w)?;
            self.doc.text(x, TOP, SIZE, &header)?;
        }
        self.doc.line(
            (MARGIN, TOP + 1.4),
            (A4_LANDSCAPE.0 - MARGIN, TOP + 1.4),
            0.5,
        );
        self.y = TOP + ROW + 0.8;
        Ok(())
    }

    /// Adds a customer's cells (a character no font has prints as `?`).
    pub(crate) fn row(&mut self, cells: Vec<String>) -> Result<()> {
        if self.rows >= MAX_PDF_ROWS {
            return Err(Error::validation(
                "customers",
                format!("more than {MAX_PDF_ROWS} in a PDF list: export them as CSV or XLSX"),
            ));
        }
        if self.y > LAST_ROW {
            self.page()?;
        }
        for (i, cell) in cells.iter().enumerate() {
            let Some(&(x, w)) = self.spans.get(i) else {
                continue;
            };
            let flat: String = cell
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let shown = match self.doc.covers(&flat) {
                Ok(()) => flat,
                Err(_) => flat
                    .chars()
                    .map(|c| {
                        let mut b = [0u8; 4];
                        if self.doc.covers(c.encode_utf8(&mut b)).is_ok() {
                            c
                        } else {
                            '?'
                        }
                    })
                    .collect(),
            };
            let text = self.doc.fit(&shown, SIZE, w)?;
            self.doc.text(x, self.y, SIZE, &text)?;
        }
        self.y += ROW;
        self.rows += 1;
        Ok(())
    }

    /// The PDF, each page numbered `n / total`.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>> {
        let pages = self.doc.page_count();
        for page in 0..pages {
            let label = format!("{} / {pages}", page + 1);
            let width = self.doc.width(&label, 7.0)?;
            self.doc
                .text_on(page, A4_LANDSCAPE.0 - MARGIN - width, 204.0, 7.0, &label)?;
        }
        self.doc.finish(&self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_pages_and_stops_at_its_bound() {
        let columns = [ExportColumn::CustomerNo, ExportColumn::FirstName];
        let mut sheet = PdfSheet::new(&columns, &[], "Customers").unwrap();
        for i in 0..MAX_PDF_ROWS {
            sheet.row(vec![i.to_string(), "Łukasz 王".into()]).unwrap();
        }
        let err = sheet.row(vec!["x".into(), "y".into()]).unwrap_err();
        assert_eq!(err.field(), Some("customers"));
        let pages = sheet.doc.page_count();
        assert!(pages > 400 && pages < 600, "{pages}");
        let pdf = sheet.finish().unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
