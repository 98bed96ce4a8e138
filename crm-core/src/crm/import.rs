//! CSV import on the facade: rows read, checked on every core, and handed to the store in
//! batches; the report kept as outcomes come back.

use std::io::Read;
use std::path::Path;

use super::Tenant;
use crate::cases::import::{
    CustomerReads, ImportRow, ImportSink, ImportTransactions, MatchValue, RowOutcome,
};
use crate::dedupe::{DuplicateMatch, Incoming, MatchConfig};
use crate::error::{Error, Result};
use crate::exchange::{
    self, CsvRows, ExportColumn, FlaggedRow, ImportMatch, ImportOptions, ImportReport,
    ImportTarget, IssueKind, Mapping, RawRow, ReadRow,
};
use crate::model::{Actor, Customer, NewCustomer, Rules};
use crate::model::{CustomerListQuery, CustomerSort};
use crate::sync;

/// Below this many rows a batch is checked on the caller's thread.
const PARALLEL_FROM: usize = 500;

impl Tenant {
    /// Imports customers from CSV read from `input` (see [`ImportOptions`] for the mapping,
    /// matching, dry run and all-or-nothing). Rows that fail are reported by row number, field
    /// and reason, and skipped. `progress(bytes, 0)` is called after each batch, with the bytes
    /// read up to the end of that batch (the next batch is already being read and checked
    /// while the store writes it); returning `false` stops the import there
    /// ([`ImportReport::stopped`]): the batches committed so far stay, and an all-or-nothing
    /// import writes nothing.
    ///
    /// # Errors
    /// Validation (nothing imported) when the options are bad, the file has no header, two
    /// columns fill one field, or no column gives the names; Validation on `file` when the input
    /// cannot be read or decoded part-way, and Storage when the store fails (the batches
    /// committed before stay, unless the import is all-or-nothing or a dry run).
    pub fn import_csv(
        &self,
        actor: &Actor,
        input: impl Read,
        options: &ImportOptions,
        progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<ImportReport> {
        self.import_from(actor, input, 0, options, progress)
    }

    /// [`import_csv`](Self::import_csv) from the file at `path`; `progress(bytes, file size)`.
    ///
    /// # Errors
    /// Io when the file cannot be opened; then as [`import_csv`](Self::import_csv).
    pub fn import_csv_file(
        &self,
        actor: &Actor,
        path: impl AsRef<Path>,
        options: &ImportOptions,
        progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<ImportReport> {
        let path = path.as_ref();
        // The path may name a person: the message does not quote it.
        let io = |source: std::io::Error| Error::Io {
            message: "cannot read the import file".into(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        self.import_from(actor, file, size, options, progress)
    }

    fn import_from(
        &self,
        actor: &Actor,
        input: impl Read,
        size: u64,
        options: &ImportOptions,
        progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<ImportReport> {
        actor.validate()?;
        options.validate()?;
        let rows = CsvRows::open(input, options)?;
        let rules = self.rules()?;
        let mapping = Mapping::new(
            rows.headers(),
            &options.mapping,
            options.preset,
            rules.names,
        )?;
        // Matching on email (the default) in a file without emails simply creates every row.
        let needed = match &options.match_on {
            ImportMatch::None | ImportMatch::Email => None,
            ImportMatch::CustomerNo => Some(ImportTarget::Column(ExportColumn::CustomerNo)),
            ImportMatch::Custom(key) => Some(ImportTarget::Custom(key.clone())),
        };
        if let Some(target) = needed {
            let custom_fields = ImportTarget::Column(ExportColumn::CustomFields);
            let found = mapping.position(&target).is_some()
                || (matches!(target, ImportTarget::Custom(_))
                    && mapping.position(&custom_fields).is_some());
            if !found {
                return Err(Error::validation(
                    "match_on",
                    format!("no column gives {target} to match on"),
                ));
            }
        }
        let flagger = match &options.flag_duplicates {
            Some(config) => Some(self.flagger(config, size)?),
            None => None,
        };
        let transactions = if options.dry_run || options.all_or_nothing {
            ImportTransactions::Single
        } else {
            ImportTransactions::PerBatch
        };
        let custom_key = match &options.match_on {
            ImportMatch::Custom(key) => Some(key.clone()),
            _ => None,
        };
        let report = ImportReport::new(options.dry_run, mapping.preset, mapping.columns.clone());
        let checker = Checker {
            mapping,
            rules,
            options,
        };
        // A thread of the scope checks the next batch while the store writes the one before.
        let (kept, sink_report) = std::thread::scope(|scope| {
            let mut sink = CsvSink {
                tenant: self,
                report,
                rows,
                checker: &checker,
                options,
                size,
                progress,
                ended: false,
                flagger,
                scope,
                ahead: None,
                deferred: None,
                current_end: 0,
                ahead_end: 0,
            };
            let kept = crate::cases::import::run(
                self.store.as_ref(),
                &self.id,
                actor,
                custom_key.as_deref(),
                transactions,
                &mut sink,
            );
            // A batch checked ahead and never written (a stop, an error): its thread ends here,
            // and a panic in it reaches the caller.
            if let Some(ahead) = sink.ahead.take() {
                ahead
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
            kept.map(|kept| (kept, sink.report))
        })?;
        // The index takes the import in once, as it takes a bulk load (rebuilt when the import
        // is large next to what the store held): searchable when the call returns.
        if kept {
            sync::catch_up(self.store.as_ref(), &self.index, &self.id)?;
        }
        let mut report = sink_report;
        report.committed = kept && !options.dry_run;
        Ok(report)
    }
}

/// A row as checked before the store sees it.
enum Checked {
    Blank,
    Failed {
        field: String,
        reason: String,
    },
    Ready {
        row: Box<ImportRow>,
        left_out: Vec<(String, String)>,
    },
}

/// What checks a row: the mapping, the tenant's rules and the options; shared with the thread
/// that checks the next batch.
struct Checker<'a> {
    mapping: Mapping,
    rules: Rules,
    options: &'a ImportOptions,
}

impl Checker<'_> {
    /// Checks a batch of rows, on every core.
    fn check_all(&self, raws: Vec<RawRow>) -> Vec<(u64, Checked)> {
        crate::parallel::map(raws, PARALLEL_FROM, |raw| {
            (
                raw.row,
                check(&self.mapping, &self.rules, self.options, &raw),
            )
        })
    }
}

/// The rows of a batch, checked.
type CheckedBatch = Vec<(u64, Checked)>;

struct CsvSink<'a, 's, 'e, R: Read, P> {
    tenant: &'a Tenant,
    rows: CsvRows<R>,
    checker: &'e Checker<'e>,
    options: &'a ImportOptions,
    report: ImportReport,
    size: u64,
    progress: P,
    /// The file is read to its end, or the import was stopped.
    ended: bool,
    flagger: Option<Flagger>,
    scope: &'s std::thread::Scope<'s, 'e>,
    /// The next batch, being checked while the store writes the current one.
    ahead: Option<std::thread::ScopedJoinHandle<'s, CheckedBatch>>,
    /// An error met reading the next batch, returned once the current one is written.
    deferred: Option<Error>,
    /// Bytes of the file up to the end of the current batch, and of the next one.
    current_end: u64,
    ahead_end: u64,
}

/// Duplicate flagging of an import: the records it creates meet each other in blocks (the keys
/// of the batch finder), and the stored customers either in the same blocks (loaded once, when
/// the store is small next to the file) or through the search index (a small file into a
/// large store).
struct Flagger {
    /// The tenant's model with the import's threshold, read before any write transaction.
    scorer: crate::dedupe::Scorer,
    incoming: Incoming,
    stored_in_blocks: bool,
}

/// A store of at most this many customers is loaded into the blocks whatever the file's size.
const LOAD_STORE_UP_TO: u64 = 2_000;
/// Bytes of a file per stored customer loaded into the blocks: a file of 25 bytes per stored
/// customer (about one row for four stored customers) pays for reading them all.
const FILE_BYTES_PER_STORED: u64 = 25;

impl Tenant {
    /// The flagging of an import of a file of `size` bytes (0: unknown).
    fn flagger(&self, config: &MatchConfig, size: u64) -> Result<Flagger> {
        let stored = self
            .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt).limit(1))?
            .total;
        let model = self.match_model()?;
        let scorer = crate::dedupe::Scorer::new(&model, &config.weights, config.threshold);
        let mut incoming = Incoming::new(config, &model);
        let stored_in_blocks = stored <= LOAD_STORE_UP_TO || stored <= size / FILE_BYTES_PER_STORED;
        if stored_in_blocks {
            let mut after = None;
            loop {
                let page = crate::cases::customers::scan(
                    self.store.as_ref(),
                    &self.id,
                    after,
                    super::SCAN_PAGE,
                )?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                page.iter().for_each(|c| incoming.add(c));
            }
        } else {
            // Stored candidates come from the index: bring it up to date first.
            sync::catch_up(self.store.as_ref(), &self.index, &self.id)?;
        }
        Ok(Flagger {
            scorer,
            incoming,
            stored_in_blocks,
        })
    }
}

/// Reads a row's cells and checks its fields as a create would; with `lenient`, a bad optional
/// field is left out and the rest checked again.
fn check(mapping: &Mapping, rules: &Rules, options: &ImportOptions, raw: &RawRow) -> Checked {
    let lenient = options.lenient;
    let read = match exchange::read_row(mapping, raw, lenient) {
        Ok(None) => return Checked::Blank,
        Ok(Some(read)) => read,
        Err((field, reason)) => return Checked::Failed { field, reason },
    };
    let ReadRow {
        mut fields,
        customer_no,
        mut left_out,
    } = read;
    let customer = loop {
        let attempt = if lenient {
            fields.clone().validate(rules)
        } else {
            std::mem::take(&mut fields).validate(rules)
        };
        match attempt {
            Ok(c) => break c,
            Err(Error::Validation { field, reason }) => {
                if lenient && leave_out(&mut fields, &field) {
                    left_out.push((field, reason));
                    continue;
                }
                return Checked::Failed { field, reason };
            }
            Err(other) => {
                return Checked::Failed {
                    field: String::new(),
                    reason: other.to_string(),
                };
            }
        }
    };
    let key = match &options.match_on {
        ImportMatch::None => None,
        ImportMatch::Email => customer.email.clone().map(MatchValue::Email),
        ImportMatch::CustomerNo => customer_no.map(MatchValue::CustomerNo),
        ImportMatch::Custom(k) => customer
            .custom_fields
            .get(k)
            .cloned()
            .map(MatchValue::Custom),
    };
    Checked::Ready {
        row: Box::new(ImportRow {
            row: raw.row,
            fields: customer,
            key,
        }),
        left_out,
    }
}

impl<R: Read, P> CsvSink<'_, '_, '_, R, P> {
    /// Reads up to a batch of rows (none at the end of the file).
    fn read_batch(&mut self) -> Result<Vec<RawRow>> {
        let mut raws = Vec::with_capacity(self.options.batch_size.min(10_000));
        while !self.ended && raws.len() < self.options.batch_size {
            match self.rows.next_row()? {
                Some(raw) => raws.push(raw),
                None => self.ended = true,
            }
        }
        Ok(raws)
    }
}

impl<R: Read, P: FnMut(u64, u64) -> bool> ImportSink for CsvSink<'_, '_, '_, R, P> {
    fn next_batch(&mut self) -> Result<Option<Vec<ImportRow>>> {
        if self.report.stopped {
            return Ok(None);
        }
        let checked = match self.ahead.take() {
            Some(ahead) => {
                self.current_end = self.ahead_end;
                // A panic in the checks is a bug: carried to the caller as it would be on its
                // own thread.
                ahead
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            None => {
                if let Some(e) = self.deferred.take() {
                    return Err(e);
                }
                let raws = self.read_batch()?;
                if raws.is_empty() {
                    return Ok(None);
                }
                self.current_end = self.rows.bytes_read();
                self.checker.check_all(raws)
            }
        };
        // The next batch is read now and checked on a thread of its own while the store writes
        // this one; an error reading it is returned once this one is written.
        match self.read_batch() {
            Ok(raws) if raws.is_empty() => {}
            Ok(raws) => {
                self.ahead_end = self.rows.bytes_read();
                let checker = self.checker;
                self.ahead = Some(self.scope.spawn(move || checker.check_all(raws)));
            }
            Err(e) => self.deferred = Some(e),
        }
        let mut ready = Vec::with_capacity(checked.len());
        for (row, checked) in checked {
            self.report.rows += 1;
            match checked {
                Checked::Blank => self.report.skipped += 1,
                Checked::Failed { field, reason } => {
                    self.report.failed += 1;
                    self.report.issue(row, &field, &reason, IssueKind::Error);
                }
                Checked::Ready { row, left_out } => {
                    for (field, reason) in left_out {
                        let reason = format!("left out: {reason}");
                        self.report
                            .issue(row.row, &field, &reason, IssueKind::Warning);
                    }
                    ready.push(*row);
                }
            }
        }
        Ok(Some(ready))
    }

    fn duplicates(
        &mut self,
        customers: &[Customer],
        reads: &dyn CustomerReads,
    ) -> Result<Vec<Vec<DuplicateMatch>>> {
        let Some(flagger) = &mut self.flagger else {
            return Ok(vec![Vec::new(); customers.len()]);
        };
        let mut out = flagger.incoming.check_all(customers);
        if !flagger.stored_in_blocks {
            for (c, matches) in customers.iter().zip(&mut out) {
                matches.extend(self.tenant.matches_among(c, &flagger.scorer, reads)?);
                crate::dedupe::settle_matches(matches);
            }
        }
        Ok(out)
    }

    fn updated(&mut self, customer: &Customer) {
        if let Some(flagger) = &mut self.flagger
            && flagger.stored_in_blocks
        {
            flagger.incoming.add(customer);
        }
    }

    fn batch_done(&mut self, outcomes: Vec<RowOutcome>) -> Result<()> {
        let report = &mut self.report;
        let suppressed = |report: &mut ImportReport, row: u64, fields: Vec<String>| {
            for field in fields {
                report.issue(
                    row,
                    &field,
                    "belongs to a customer who was anonymised (asked to be forgotten)",
                    IssueKind::Warning,
                );
            }
        };
        for outcome in outcomes {
            match outcome {
                RowOutcome::Created {
                    row,
                    id,
                    duplicates,
                    suppressed: fields,
                } => {
                    report.created += 1;
                    suppressed(report, row, fields);
                    if !duplicates.is_empty() {
                        report.flag(FlaggedRow {
                            row,
                            customer_id: (!self.options.dry_run).then_some(id),
                            matches: duplicates,
                        });
                    }
                }
                RowOutcome::Updated {
                    row,
                    suppressed: fields,
                    ..
                } => {
                    report.updated += 1;
                    suppressed(report, row, fields);
                }
                RowOutcome::Unchanged { .. } => report.unchanged += 1,
                RowOutcome::Skipped { row, reason } => {
                    report.skipped += 1;
                    report.issue(row, "", &reason, IssueKind::Skipped);
                }
                RowOutcome::Failed { row, field, reason } => {
                    report.failed += 1;
                    report.issue(row, &field, &reason, IssueKind::Error);
                }
            }
        }
        // The bytes of the rows written, not of the batch read ahead.
        let read = self.current_end;
        let done = if self.size == 0 {
            read
        } else {
            read.min(self.size)
        };
        if !(self.progress)(done, self.size) {
            self.report.stopped = true;
            self.ended = true;
        }
        Ok(())
    }

    fn commit(&self) -> bool {
        let failed = self.options.all_or_nothing && self.report.failed > 0;
        !self.options.dry_run && !failed && !self.report.stopped
    }
}

/// Empties the optional field a validation error names; false for a required field (or one
/// it does not know).
fn leave_out(f: &mut NewCustomer, field: &str) -> bool {
    let index = |prefix: &str| {
        field
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
    };
    if let Some(i) = index("secondary_emails[")
        && i < f.secondary_emails.len()
    {
        f.secondary_emails.remove(i);
        return true;
    }
    if let Some(i) = index("secondary_phones[")
        && i < f.secondary_phones.len()
    {
        f.secondary_phones.remove(i);
        return true;
    }
    if let Some(key) = field.strip_prefix("custom_fields.") {
        return f.custom_fields.remove(key).is_some();
    }
    let slot = match field {
        "title" => &mut f.title,
        "company" => &mut f.company,
        "email" => &mut f.email,
        "phone" => &mut f.phone,
        "mobile" => &mut f.mobile,
        "fax" => &mut f.fax,
        "emergency_phone" => &mut f.emergency_phone,
        "address.street" => &mut f.address.street,
        "address.zip" => &mut f.address.zip,
        "address.city" => &mut f.address.city,
        "address.region" => &mut f.address.region,
        "address.country" => &mut f.address.country,
        "contact_person" => &mut f.contact_person,
        "language" => &mut f.language,
        "notes" => &mut f.notes,
        "salesperson" => &mut f.salesperson,
        "birth_date" => return f.birth_date.take().is_some(),
        "consent.email" => return f.consent.email.take().is_some(),
        "consent.sms" => return f.consent.sms.take().is_some(),
        _ => return false,
    };
    slot.take().is_some()
}
