//! CSV input: the encoding, the separator, and each row read into customer fields.

use std::io::{BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

use super::ExportColumn;
use super::import::ImportOptions;
use super::mapping::{ImportTarget, Mapping};
use crate::error::{Error, Result};
use crate::model::NewCustomer;

/// Largest cell an import reads into a field, in bytes (the notes field holds 10,000
/// characters: at most 40,000 bytes).
const MAX_CELL_BYTES: usize = 64 * 1024;

/// How much of the file's start is read to find the header line's separator.
const HEAD_BYTES: usize = 64 * 1024;

/// Longest row (record) an import reads, in bytes: a longer one (an unclosed quote that runs to
/// the end of the file, say) stops the import with an error instead of filling memory. A row
/// under it with a cell over [`MAX_CELL_BYTES`] fails alone.
pub(crate) const MAX_ROW_BYTES: u64 = 32 * 1024 * 1024;

/// Most line breaks inside one row, or between two rows (the positions of those not yet passed
/// are kept, to number rows): more stops the import as a row too long does.
const MAX_ROW_LINES: usize = 100_000;

/// Most columns in a file's header.
pub(crate) const MAX_COLUMNS: usize = 1_000;

/// What the parser reads ahead of the record it returns.
const BUFFER_BYTES: usize = 1 << 16;

/// Counts the bytes read from the file, for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type Decoded<R> = BufReader<
    LineMarks<
        std::io::Chain<
            std::io::Cursor<Vec<u8>>,
            encoding_rs_io::DecodeReaderBytes<Counting<R>, Vec<u8>>,
        >,
    >,
>;

/// Where the line breaks of the decoded text are, as the CSV parser reads it: it skips empty
/// lines without a trace, but a spreadsheet shows them as rows. A line break is `\n`, `\r\n`
/// or a lone `\r` (old Mac files), as for the parser.
#[derive(Default)]
struct Lines {
    /// Offsets of the line breaks not yet passed by a record.
    ahead: std::collections::VecDeque<u64>,
    /// Line breaks before the last record asked about.
    passed: u64,
    /// Bytes read so far.
    offset: u64,
    /// Whether the last byte read was `\r` (a `\n` after it ends the same line).
    after_cr: bool,
    /// Where the record being read begins.
    record_start: u64,
}

impl Lines {
    /// The line (from 1) on which the byte at `offset` stands; offsets only grow.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.ahead.front().is_some_and(|b| *b < offset) {
            self.ahead.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// Notes the line breaks of what is read through it.
struct LineMarks<R> {
    inner: R,
    lines: std::rc::Rc<std::cell::RefCell<Lines>>,
}

impl<R: Read> Read for LineMarks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut lines = self.lines.borrow_mut();
        // The record being read, with what the parser buffers ahead of it, stays in bounds.
        let limit = MAX_ROW_BYTES + BUFFER_BYTES as u64;
        if lines.offset.saturating_sub(lines.record_start) > limit
            || lines.ahead.len() > MAX_ROW_LINES
        {
            let start = lines.record_start;
            let line = lines.line_at(start);
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the row from line {line} is longer than {MAX_ROW_BYTES} bytes \
                     (a quote never closed?)"
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        let start = lines.offset;
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\r' || (*b == b'\n' && !lines.after_cr) {
                lines.ahead.push_back(start + i as u64);
            }
            lines.after_cr = *b == b'\r';
        }
        lines.offset += n as u64;
        Ok(n)
    }
}

/// The data rows of a CSV file, after its header.
pub(crate) struct CsvRows<R: Read> {
    reader: csv::Reader<Decoded<R>>,
    headers: Vec<String>,
    record: csv::ByteRecord,
    /// Line breaks inside the quoted cells of the records read so far: a spreadsheet shows
    /// such a record on one row.
    embedded: u64,
    lines: std::rc::Rc<std::cell::RefCell<Lines>>,
    read: Arc<AtomicU64>,
}

/// A data row as read: its number and cells (not yet checked as UTF-8).
pub(crate) struct RawRow {
    pub(crate) row: u64,
    pub(crate) cells: Vec<Vec<u8>>,
}

fn unreadable(e: impl std::fmt::Display) -> Error {
    Error::validation("file", format!("cannot be read as CSV: {e}"))
}

impl<R: Read> CsvRows<R> {
    /// Opens `input`: decodes it as `options` say (else from its byte order mark, else UTF-8),
    /// guesses the separator from the header line, and reads the header.
    ///
    /// # Errors
    /// Validation on `file` when there is no header or it cannot be read.
    pub(crate) fn open(input: R, options: &ImportOptions) -> Result<Self> {
        let read = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: input,
            read: Arc::clone(&read),
        };
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(options.checked_encoding()?)
            .bom_sniffing(true)
            .strip_bom(true)
            // Without a byte order mark or an encoding, bytes pass as they are: a row that is
            // not UTF-8 then fails on its own instead of being silently altered.
            .utf8_passthru(true)
            .build(counting);
        let mut decoded = decoded;
        // The header line (or its first 64 KiB), read ahead to guess the separator from.
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        while head.len() < HEAD_BYTES && !head.iter().any(|b| *b == b'\n' || *b == b'\r') {
            let n = decoded.read(&mut chunk).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        let delimiter = options.delimiter.unwrap_or_else(|| guess_delimiter(&head));
        let lines = std::rc::Rc::new(std::cell::RefCell::new(Lines::default()));
        let marked = LineMarks {
            inner: std::io::Cursor::new(head).chain(decoded),
            lines: std::rc::Rc::clone(&lines),
        };
        let buffered = BufReader::with_capacity(BUFFER_BYTES, marked);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(buffered);
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(unreadable)? {
            return Err(Error::validation("file", "is empty: no header row"));
        }
        if record.len() > MAX_COLUMNS {
            return Err(Error::validation(
                "file",
                format!(
                    "the header has {} columns, more than {MAX_COLUMNS}",
                    record.len()
                ),
            ));
        }
        lines.borrow_mut().record_start = reader.position().byte();
        let headers = record
            .iter()
            .enumerate()
            .map(|(i, h)| {
                std::str::from_utf8(h)
                    .map(|h| h.trim().to_owned())
                    .map_err(|_| {
                        Error::validation(
                            "file",
                            format!(
                                "header {} is not UTF-8 text: give the file's encoding \
                                 (e.g. windows-1252)",
                                i + 1
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let embedded = newlines(&record);
        Ok(Self {
            reader,
            headers,
            record,
            embedded,
            lines,
            read,
        })
    }

    /// The header cells, trimmed.
    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Bytes of the file read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// The next data row, or `None` at the end.
    ///
    /// # Errors
    /// Validation on `file` when the bytes cannot be read as CSV at all (an I/O error).
    pub(crate) fn next_row(&mut self) -> Result<Option<RawRow>> {
        if !self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(unreadable)?
        {
            return Ok(None);
        }
        // A spreadsheet shows every line as a row, empty ones too, and a record whose quoted
        // cells hold line breaks as one row.
        // The parser's record position is where it began to look (before any empty lines it
        // skipped); where it stopped is on the record's last line.
        let end = self.reader.position().byte();
        let last_line = {
            let mut lines = self.lines.borrow_mut();
            lines.record_start = end;
            lines.line_at(end.saturating_sub(1))
        };
        let inside = newlines(&self.record);
        let row = last_line
            .saturating_sub(inside)
            .saturating_sub(self.embedded)
            .max(2);
        self.embedded += inside;
        Ok(Some(RawRow {
            row,
            cells: self.record.iter().map(<[u8]>::to_vec).collect(),
        }))
    }
}

/// The line breaks inside the cells of a record.
fn newlines(record: &csv::ByteRecord) -> u64 {
    record
        .iter()
        .map(|cell| {
            cell.iter()
                .enumerate()
                .filter(|&(i, b)| *b == b'\r' || (*b == b'\n' && (i == 0 || cell[i - 1] != b'\r')))
                .count() as u64
        })
        .sum()
}

/// The separator the header line uses most among `,`, `;`, tab and `|` (a comma when none).
fn guess_delimiter(start: &[u8]) -> u8 {
    let line = start
        .split(|b| *b == b'\n' || *b == b'\r')
        .next()
        .unwrap_or_default();
    let mut quoted = false;
    let mut counts = [0usize; 4];
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    for b in line {
        if *b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = CANDIDATES.iter().position(|c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|i| (counts[*i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

/// A problem with one cell: the field and the reason.
pub(crate) type CellError = (String, String);

/// A row read into fields: what to match on, the fields, and the cells left out (lenient).
#[derive(Debug, Default)]
pub(crate) struct ReadRow {
    pub(crate) fields: NewCustomer,
    pub(crate) customer_no: Option<i64>,
    pub(crate) left_out: Vec<CellError>,
}

/// Reads the cells of `row` into customer fields through `mapping`. A blank row is `Ok(None)`.
/// A bad cell fails the row, or with `lenient` is left out if its field is optional.
pub(crate) fn read_row(
    mapping: &Mapping,
    row: &RawRow,
    lenient: bool,
) -> std::result::Result<Option<ReadRow>, CellError> {
    if row
        .cells
        .iter()
        .all(|c| c.iter().all(u8::is_ascii_whitespace))
    {
        return Ok(None);
    }
    if row.cells.len() != mapping.columns.len() {
        return Err((
            String::new(),
            format!(
                "has {} cells where the header has {}",
                row.cells.len(),
                mapping.columns.len()
            ),
        ));
    }
    let mut out = ReadRow::default();
    for (column, cell) in mapping.columns.iter().zip(&row.cells) {
        if !column.target.is_read() {
            continue;
        }
        let field = field_name(&column.target);
        let value = match cell_text(cell) {
            Ok(v) => v,
            Err(reason) => return Err((field, reason)),
        };
        if value.is_empty() {
            continue;
        }
        if let Err(reason) = set(&mut out, &column.target, value) {
            let required = matches!(
                column.target,
                ImportTarget::Column(
                    ExportColumn::FirstName | ExportColumn::LastName | ExportColumn::CustomerNo
                )
            );
            if lenient && !required {
                out.left_out.push((field, reason));
            } else {
                return Err((field, reason));
            }
        }
    }
    Ok(Some(out))
}

/// The name of the field a target fills, as validation errors name it.
fn field_name(target: &ImportTarget) -> String {
    match target {
        ImportTarget::Column(ExportColumn::Street) => "address.street".into(),
        ImportTarget::Column(ExportColumn::Zip) => "address.zip".into(),
        ImportTarget::Column(ExportColumn::City) => "address.city".into(),
        ImportTarget::Column(ExportColumn::Region) => "address.region".into(),
        ImportTarget::Column(ExportColumn::Country) => "address.country".into(),
        ImportTarget::Column(ExportColumn::ConsentEmail) => "consent.email".into(),
        ImportTarget::Column(ExportColumn::ConsentSms) => "consent.sms".into(),
        ImportTarget::Custom(key) => format!("custom_fields.{key}"),
        other => other.to_string(),
    }
}

/// The text of a cell: UTF-8, within the size limit, trimmed, a spreadsheet formula refused
/// and the apostrophe an export puts before `=`, `+`, `-`, `@` taken off again.
fn cell_text(cell: &[u8]) -> std::result::Result<String, String> {
    if cell.len() > MAX_CELL_BYTES {
        return Err(format!(
            "the cell holds {} bytes, more than {MAX_CELL_BYTES}",
            cell.len()
        ));
    }
    let text = std::str::from_utf8(cell).map_err(|_| {
        "is not UTF-8 text: give the file's encoding (e.g. windows-1252)".to_owned()
    })?;
    let text = text.trim();
    if text.starts_with('=') {
        return Err(
            "starts with '=': a spreadsheet formula, not a value (write '= for the text)".into(),
        );
    }
    let mut chars = text.chars();
    if chars.next() == Some('\'') && matches!(chars.next(), Some('=' | '+' | '-' | '@' | '\'')) {
        return Ok(text[1..].to_owned());
    }
    Ok(text.to_owned())
}

/// Puts a non-empty cell into its field; the reason when it cannot be read.
fn set(out: &mut ReadRow, target: &ImportTarget, value: String) -> std::result::Result<(), String> {
    use ExportColumn as E;
    let f = &mut out.fields;
    let column = match target {
        ImportTarget::Custom(key) => {
            f.custom_fields.insert(key.clone(), value);
            return Ok(());
        }
        ImportTarget::Ignore => return Ok(()),
        ImportTarget::Column(c) => *c,
    };
    let split = |v: &str| -> Vec<String> {
        v.split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    match column {
        E::CustomerNo => match value.parse::<i64>() {
            Ok(n) if n > 0 => out.customer_no = Some(n),
            _ => return Err("not a customer number".into()),
        },
        E::Title => f.title = Some(value),
        E::FirstName => f.first_name = value,
        E::LastName => f.last_name = value,
        E::Company => f.company = Some(value),
        E::Email => f.email = Some(value),
        E::Phone => f.phone = Some(value),
        E::Mobile => f.mobile = Some(value),
        E::Fax => f.fax = Some(value),
        E::EmergencyPhone => f.emergency_phone = Some(value),
        E::SecondaryEmails => f.secondary_emails.extend(split(&value)),
        E::SecondaryPhones => f.secondary_phones.extend(split(&value)),
        E::Lists => f.lists.extend(split(&value)),
        E::Street => f.address.street = Some(value),
        E::Zip => f.address.zip = Some(value),
        E::City => f.address.city = Some(value),
        E::Region => f.address.region = Some(value),
        E::Country => f.address.country = Some(country_code(&value)?),
        E::ContactPerson => f.contact_person = Some(value),
        E::BirthDate => f.birth_date = Some(date(&value)?),
        E::Language => f.language = Some(value),
        E::Notes => f.notes = Some(value),
        E::ConsentEmail => f.consent.email = consent(&value)?,
        E::ConsentSms => f.consent.sms = consent(&value)?,
        E::Salesperson => f.salesperson = Some(value),
        E::CustomFields => {
            let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&value)
                .map_err(|_| "not a JSON object of text values".to_owned())?;
            f.custom_fields.extend(map);
        }
        E::Id
        | E::Bookings
        | E::LastBooking
        | E::Spent
        | E::Outstanding
        | E::CreatedAt
        | E::UpdatedAt => {}
    }
    Ok(())
}

/// An ISO 3166-1 code from a two- or three-letter code or an English country name.
fn country_code(value: &str) -> std::result::Result<String, String> {
    use isocountry::CountryCode;
    let upper = value.to_uppercase();
    let found = CountryCode::for_alpha2(&upper)
        .or_else(|_| CountryCode::for_alpha3(&upper))
        .ok()
        .or_else(|| {
            CountryCode::iter()
                .find(|c| c.name().eq_ignore_ascii_case(value))
                .copied()
        });
    found
        .map(|c| c.alpha2().to_owned())
        .ok_or_else(|| "not a country (ISO 3166-1 code or English name)".to_owned())
}

/// A date written `YYYY-MM-DD` or `DD.MM.YYYY`.
fn date(value: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d.%m.%Y"))
        .map_err(|_| "not a date (YYYY-MM-DD or DD.MM.YYYY)".to_owned())
}

/// When consent was given: an RFC 3339 time or a date (midnight UTC); `no`, `false`, `0`:
/// none. A plain `yes` is refused: consent needs the time it was given.
fn consent(value: &str) -> std::result::Result<Option<DateTime<Utc>>, String> {
    if matches!(
        value.to_ascii_lowercase().as_str(),
        "no" | "n" | "false" | "0"
    ) {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    Err("not when consent was given (an RFC 3339 time or YYYY-MM-DD)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_guessed_outside_quotes() {
        assert_eq!(guess_delimiter(b"a;b;c\n1,2;3"), b';');
        assert_eq!(guess_delimiter(b"\"a;b\",c,d\n"), b',');
        assert_eq!(guess_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(guess_delimiter(b"single\n"), b',');
    }

    #[test]
    fn cells_are_unneutralised_and_formulas_refused() {
        assert_eq!(cell_text(b"'+33 6 12").unwrap(), "+33 6 12");
        assert_eq!(cell_text(b"'=1+1").unwrap(), "=1+1");
        assert_eq!(cell_text(b"'t Hooft").unwrap(), "'t Hooft");
        assert!(
            cell_text(b"=HYPERLINK(\"x\")")
                .unwrap_err()
                .contains("formula")
        );
        assert!(cell_text(b"caf\xe9").unwrap_err().contains("UTF-8"));
        assert!(cell_text(&vec![b'a'; MAX_CELL_BYTES + 1]).is_err());
    }

    #[test]
    fn countries_dates_and_consent_are_read() {
        assert_eq!(country_code("fr").unwrap(), "FR");
        assert_eq!(country_code("DEU").unwrap(), "DE");
        assert_eq!(country_code("france").unwrap(), "FR");
        assert!(country_code("Atlantis").is_err());
        assert_eq!(
            date("29.02.1980").unwrap(),
            NaiveDate::from_ymd_opt(1980, 2, 29).unwrap()
        );
        assert!(date("02/29/1980").is_err());
        assert_eq!(consent("no").unwrap(), None);
        assert!(consent("2026-01-02").unwrap().is_some());
        assert!(consent("yes").is_err());
    }
}
