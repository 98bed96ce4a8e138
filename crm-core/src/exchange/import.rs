//! What an import is asked to do ([`ImportOptions`]) and what it did ([`ImportReport`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::mapping::{ImportPreset, ImportTarget, MappedColumn};
use crate::dedupe::{DuplicateMatch, MatchConfig};
use crate::error::{Error, Result};
use crate::model::CustomerId;

/// How an imported row finds the customer it updates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ImportMatch {
    /// Never: every row creates a customer.
    None,
    /// The row's email is the main or a secondary email of a customer (ignoring case); the
    /// oldest such customer is updated. A row without email creates one.
    Email,
    /// The `customer_no` column names the customer (re-importing an edited export). A row whose
    /// number is unknown fails; a row without one creates a customer.
    CustomerNo,
    /// A custom field holds the other system's reference (`Custom("hubspot_id")`); the oldest
    /// customer with the same value is updated. A row without one creates a customer.
    Custom(String),
}

impl fmt::Display for ImportMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Email => f.write_str("email"),
            Self::CustomerNo => f.write_str("customer_no"),
            Self::Custom(key) => write!(f, "custom:{key}"),
        }
    }
}

impl FromStr for ImportMatch {
    type Err = Error;

    /// Parses `none`, `email`, `customer_no` or `custom:<key>`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "none" => Ok(Self::None),
            "email" => Ok(Self::Email),
            "customer_no" => Ok(Self::CustomerNo),
            other => match other.parse::<ImportTarget>() {
                Ok(ImportTarget::Custom(key)) => Ok(Self::Custom(key)),
                _ => Err(Error::validation(
                    "match_on",
                    format!("{other:?} is not none, email, customer_no or custom:<key>"),
                )),
            },
        }
    }
}

/// What to import and how. Start from [`ImportOptions::new`].
///
/// An import adds and replaces, it never erases: a matched customer takes every non-empty cell
/// of its row (names always), keeps the fields whose cells are empty, and gains the row's
/// secondary contacts, lists and custom fields beside its own.
///
/// A dry run and an all-or-nothing import run in one write transaction from the first row to
/// the last: other writers of the store wait for them (searches do not). Row-by-row imports hold
/// it one batch at a time.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Headers mapped by the caller, before any preset: `(header, target)`.
    pub mapping: Vec<(String, ImportTarget)>,
    /// The preset for the other headers; `None` picks the one that recognises most headers.
    pub preset: Option<ImportPreset>,
    /// How a row finds the customer it updates (default: [`ImportMatch::Email`]).
    pub match_on: ImportMatch,
    /// Write nothing; report what would be created, updated, skipped and flagged.
    pub dry_run: bool,
    /// Write nothing at all unless every row imports (one transaction for the whole file);
    /// otherwise bad rows are reported and skipped, and the others are written a batch at a time.
    pub all_or_nothing: bool,
    /// Rows per transaction when not all-or-nothing: 1 to 100,000. The rows of a batch that
    /// create customers are written together, as a `create_customers` batch is; the search
    /// index takes the whole import in once, at the end (rebuilt when the import is large next
    /// to what the store held), so the customers are searchable when the call returns.
    pub batch_size: usize,
    /// A bad optional cell (an email, a phone, a country, a date...) is left out with a warning,
    /// and the rest of its row is imported; otherwise the row fails.
    pub lenient: bool,
    /// Flag the rows that create a customer likely the same as one already stored or as one an
    /// earlier row of the file created, with this configuration (`None`: no flagging). Each
    /// created row is compared with the customers that share a blocking key of
    /// [`find_duplicates`](crate::Tenant::find_duplicates) with it (an email, a mailbox, a
    /// phone, a name key, the birth date, the address), up to the latest 64 of a contact's key
    /// and 16 of another (among those before the batch, and again within it; the first on
    /// every core): the stored
    /// customers are read into these blocks once, or for a small file into a large store (more
    /// than 2,000 customers and more than one for each 25 bytes of the file) looked up in the
    /// search index row by row.
    pub flag_duplicates: Option<MatchConfig>,
    /// The text encoding, a WHATWG label (`utf-8`, `windows-1252`, `iso-8859-2`, `utf-16le`...);
    /// `None`: from the byte order mark, else UTF-8 (a row that is not UTF-8 then fails and
    /// says so).
    pub encoding: Option<String>,
    /// The cell separator; `None` guesses it from the header line among `,`, `;`, tab and `|`.
    pub delimiter: Option<u8>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            mapping: Vec::new(),
            preset: None,
            match_on: ImportMatch::Email,
            dry_run: false,
            all_or_nothing: false,
            batch_size: DEFAULT_BATCH,
            lenient: false,
            flag_duplicates: Some(MatchConfig::default()),
            encoding: None,
            delimiter: None,
        }
    }
}

/// Rows per batch unless the caller says otherwise.
const DEFAULT_BATCH: usize = 5_000;
/// Largest batch.
const MAX_BATCH_ROWS: usize = 100_000;

impl ImportOptions {
    /// The defaults: headers recognised by the best preset, match on email, bad rows skipped,
    /// batches of 5,000, duplicates flagged.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps the column `header` to `target` (overrides the preset).
    pub fn map(mut self, header: impl Into<String>, target: ImportTarget) -> Self {
        self.mapping.push((header.into(), target));
        self
    }

    /// Uses this preset for the headers not mapped explicitly.
    pub fn preset(mut self, preset: ImportPreset) -> Self {
        self.preset = Some(preset);
        self
    }

    /// How rows find the customer they update.
    pub fn match_on(mut self, match_on: ImportMatch) -> Self {
        self.match_on = match_on;
        self
    }

    /// Only report, write nothing.
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    /// All rows or none.
    pub fn all_or_nothing(mut self, yes: bool) -> Self {
        self.all_or_nothing = yes;
        self
    }

    /// Rows per transaction.
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows;
        self
    }

    /// Leave bad optional cells out instead of failing their row.
    pub fn lenient(mut self, yes: bool) -> Self {
        self.lenient = yes;
        self
    }

    /// Flags likely duplicates with `config`, or not at all (`None`).
    pub fn flag_duplicates(mut self, config: Option<MatchConfig>) -> Self {
        self.flag_duplicates = config;
        self
    }

    /// The text encoding, a WHATWG label.
    pub fn encoding(mut self, label: impl Into<String>) -> Self {
        self.encoding = Some(label.into());
        self
    }

    /// The cell separator.
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// The encoding asked for, checked.
    pub(crate) fn checked_encoding(&self) -> Result<Option<&'static encoding_rs::Encoding>> {
        self.encoding
            .as_deref()
            .map(|label| {
                encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                    Error::validation("encoding", format!("{label:?} is not a known encoding"))
                })
            })
            .transpose()
    }

    /// Checks the options as an import would before reading anything.
    ///
    /// # Errors
    /// Validation naming the option: `mapping` (at most 1,000 columns), `batch_size` (1 to
    /// 100,000), `delimiter` (ASCII punctuation or space, not a quote), `encoding` (a WHATWG
    /// label), the duplicate rules.
    pub fn validate(&self) -> Result<()> {
        let max_columns = super::csv_in::MAX_COLUMNS;
        if self.mapping.len() > max_columns {
            return Err(Error::validation(
                "mapping",
                format!("more than {max_columns} columns mapped"),
            ));
        }
        if !(1..=MAX_BATCH_ROWS).contains(&self.batch_size) {
            return Err(Error::validation(
                "batch_size",
                format!("must be 1 to {MAX_BATCH_ROWS}"),
            ));
        }
        if let Some(d) = self.delimiter
            && (!d.is_ascii() || d.is_ascii_alphanumeric() || matches!(d, b'"' | b'\n' | b'\r'))
        {
            return Err(Error::validation(
                "delimiter",
                "must be an ASCII punctuation or space character other than a quote",
            ));
        }
        if let Some(config) = &self.flag_duplicates {
            config.validate()?;
        }
        self.checked_encoding().map(drop)
    }
}

crate::model::string_enum::string_enum!(
    /// How bad a reported row is.
    IssueKind, "kind" {
        /// The row was not imported.
        Error = "error",
        /// The row was left alone on purpose: all its cells are empty, or its customer no. or
        /// reference names an anonymised customer. (An anonymised customer has no email left: a
        /// row with an email it had creates a customer, with a warning.)
        Skipped = "skipped",
        /// The row was imported; a cell was left out (lenient import) or something deserves a look
        /// (an email or phone of a person who asked to be forgotten).
        Warning = "warning",
    }
);

/// A row of the report: which row, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RowIssue {
    /// The row in the file as a spreadsheet numbers it: the header is row 1.
    pub row: u64,
    /// The field (`email`, `address.country`, `secondary_emails[1]`...) or the column header;
    /// empty when the whole row is concerned.
    pub field: String,
    /// Why.
    pub reason: String,
    /// Error, skipped or warning.
    pub kind: IssueKind,
}

/// A row that created a customer likely the same as one already stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FlaggedRow {
    /// The row in the file (the header is row 1).
    pub row: u64,
    /// The customer the row created (`None` in a dry run).
    pub customer_id: Option<CustomerId>,
    /// The stored customers it resembles, best first.
    pub matches: Vec<DuplicateMatch>,
}

/// What an import did, or in a dry run would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportReport {
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether rows were written: false for a dry run, and for an all-or-nothing import with
    /// any failed row or stopped by its progress callback.
    pub committed: bool,
    /// Whether the progress callback stopped the import before the end of the file.
    pub stopped: bool,
    /// The preset that mapped the headers.
    pub preset: ImportPreset,
    /// Every column of the file and where it went.
    pub columns: Vec<MappedColumn>,
    /// Data rows imported, reported or skipped, rows of empty cells included (empty lines are
    /// not rows); after a stop, the rows read ahead of it are not counted.
    pub rows: u64,
    /// Rows that created a customer.
    pub created: u64,
    /// Rows that changed a customer.
    pub updated: u64,
    /// Rows that matched a customer and changed nothing.
    pub unchanged: u64,
    /// Rows left alone on purpose (all cells empty, or matching an anonymised customer by
    /// customer no. or reference).
    pub skipped: u64,
    /// Rows not imported because of an error.
    pub failed: u64,
    /// Errors, skips and warnings, by row, at most 10,000 (see `issues_total`).
    pub issues: Vec<RowIssue>,
    /// How many issues there were in all.
    pub issues_total: u64,
    /// Rows that created a likely duplicate, at most 10,000 (see `flagged_total`).
    pub flagged: Vec<FlaggedRow>,
    /// How many rows were flagged in all.
    pub flagged_total: u64,
}

/// Most issues, and most flagged rows, a report holds.
pub(crate) const MAX_REPORTED: usize = 10_000;

impl ImportReport {
    pub(crate) fn new(dry_run: bool, preset: ImportPreset, columns: Vec<MappedColumn>) -> Self {
        Self {
            dry_run,
            committed: false,
            stopped: false,
            preset,
            columns,
            rows: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            skipped: 0,
            failed: 0,
            issues: Vec::new(),
            issues_total: 0,
            flagged: Vec::new(),
            flagged_total: 0,
        }
    }

    pub(crate) fn issue(&mut self, row: u64, field: &str, reason: &str, kind: IssueKind) {
        self.issues_total += 1;
        if self.issues.len() < MAX_REPORTED {
            self.issues.push(RowIssue {
                row,
                field: field.to_owned(),
                reason: reason.to_owned(),
                kind,
            });
        }
    }

    pub(crate) fn flag(&mut self, flagged: FlaggedRow) {
        self.flagged_total += 1;
        if self.flagged.len() < MAX_REPORTED {
            self.flagged.push(flagged);
        }
    }
}
